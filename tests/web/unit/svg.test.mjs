// web/svg.js: the scales and ticks of the QC charts, and the SVG elements they are built of.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {day, labelledLine, measuredAt, s, scale, timeAxis, timeScale} = await pageModule('svg.js');
const SVG = 'http://www.w3.org/2000/svg';

test('scale maps the domain onto the range, reversed when the range is', () => {
  const y = scale(-4, 4, 216, 22);
  assert.equal(y(-4), 216);
  assert.equal(y(4), 22);
  assert.equal(y(0), 119);
  assert.equal(y(8), -75, 'beyond the domain it goes on in a line');
});

test('scale over an empty domain divides by one, not by zero', () => {
  const y = scale(5, 5, 0, 100);
  assert.equal(y(5), 0);
  assert.equal(y(6), 100);
});

test('timeScale puts the earliest time at left and the latest at right, one time in the middle', () => {
  const {x, t0, t1} = timeScale([3000, 1000, 2000], 100, 300);
  assert.deepEqual([t0, t1], [1000, 3000]);
  assert.deepEqual([1000, 1500, 3000].map(x), [100, 150, 300], 'by time, not by index');
  assert.equal(timeScale([5000, 5000], 100, 300).x(5000), 200);
});

test('measuredAt reads the analyzer\'s measurement time as local time, else the arrival', () => {
  assert.equal(measuredAt({measured_at: '20261128101502', at: '2026-11-28T12:00:00Z'}),
    new Date(2026, 10, 28, 10, 15, 2).getTime());
  assert.equal(measuredAt({measured_at: '20261128', at: 'x'}), new Date(2026, 10, 28).getTime());
  assert.equal(measuredAt({measured_at: '', at: '2026-11-28T12:00:00Z'}), Date.parse('2026-11-28T12:00:00Z'));
});

test('day writes month-day hours:minutes in local time', () => {
  assert.equal(day(new Date(2026, 10, 28, 9, 5).toISOString()), '11-28 09:05');
  assert.equal(day(new Date(2026, 0, 3, 23, 59).toISOString()), '01-03 23:59');
});

const labels = (t0, t1) => timeAxis(t0.getTime(), t1.getTime(), (t) => t, 240).map((t) => t.textContent);

test('timeAxis labels a few seconds apart with seconds', () => {
  assert.deepEqual(labels(new Date(2026, 10, 28, 10, 15, 1), new Date(2026, 10, 28, 10, 15, 40)),
    ['10:15:10', '10:15:20', '10:15:30', '10:15:40']);
});

test('timeAxis labels a morning by round hours, the first with its day', () => {
  assert.deepEqual(labels(new Date(2026, 10, 28, 7, 40), new Date(2026, 10, 28, 13, 10)),
    ['11-28 08:00', '09:00', '10:00', '11:00', '12:00', '13:00']);
});

test('timeAxis labels two weeks by days, and a day change inside hours says the day', () => {
  const weeks = labels(new Date(2026, 10, 15, 8), new Date(2026, 10, 28, 8));
  assert.ok(weeks.length >= 4 && weeks.every((l) => /^11-\d\d$/.test(l)), weeks.join(' '));
  assert.equal(new Set(weeks).size, weeks.length, 'no two alike');
  assert.deepEqual(labels(new Date(2026, 10, 28, 20), new Date(2026, 10, 29, 7)),
    ['11-28 20:00', '22:00', '11-29 00:00', '02:00', '04:00', '06:00']);
});

test('a tick is centred text at its time', () => {
  const t = new Date(2026, 10, 28, 9).getTime();
  const [tick] = timeAxis(t, t + 3 * 3600000, (v) => (v - t) / 1000, 240);
  assert.equal(tick.namespaceURI, SVG);
  assert.equal(tick.tagName, 'text');
  assert.deepEqual(tick.attributes, {class: 'tick', x: '0', y: '240', 'text-anchor': 'middle'});
  assert.equal(tick.textContent, '11-28 09:00');
});

test('one time alone is one label', () => {
  const t = new Date(2026, 10, 28, 9, 5, 7);
  assert.deepEqual(labels(t, t), ['09:05:07']);
});

test('s skips absent attributes and children, and writes the rest as text', () => {
  const e = s('g', {class: 'point', 'data-x': 0, hidden: false, title: null, id: undefined},
    'a', null, [1, false, s('circle', {r: 3})], undefined);
  assert.equal(e.namespaceURI, SVG);
  assert.deepEqual(e.attributes, {class: 'point', 'data-x': '0'});
  assert.deepEqual(e.children.map((c) => c.tagName ?? c.data), ['a', '1', 'circle']);
  assert.deepEqual(s('line', null).attributes, {});
});

test('labelledLine is a line across the plot and its label past the right end', () => {
  const g = labelledLine('sd2', 40, 64, 750, '+2 SD 3.20');
  assert.equal(g.attributes.class, 'line sd2');
  const [line, text] = g.children;
  assert.deepEqual(line.attributes, {x1: '64', x2: '750', y1: '40', y2: '40'});
  assert.deepEqual(text.attributes, {x: '756', y: '44'});
  assert.equal(text.textContent, '+2 SD 3.20');
});
