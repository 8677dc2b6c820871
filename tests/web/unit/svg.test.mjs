// web/svg.js: the scales and ticks of the QC charts, and the SVG elements they are built of.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {day, labelledLine, s, scale, spread, timeTicks} = await pageModule('svg.js');
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

test('spread puts n points from left to right, one point in the middle', () => {
  const x = spread(3, 100, 300);
  assert.deepEqual([0, 1, 2].map(x), [100, 200, 300]);
  assert.equal(spread(1, 100, 300)(0), 200);
  assert.equal(spread(0, 100, 300)(0), 200);
});

test('day writes month-day hours:minutes in local time', () => {
  assert.equal(day(new Date(2026, 10, 28, 9, 5).toISOString()), '11-28 09:05');
  assert.equal(day(new Date(2026, 0, 3, 23, 59).toISOString()), '01-03 23:59');
});

// The indices that get a label, and each label's text and place.
const labelled = (ticks) => ticks.flatMap((t, i) => (t ? [i] : []));
const points = (n) => Array.from({length: n}, (_, i) => ({at: new Date(2026, 10, 1 + i, 8).toISOString()}));

test('timeTicks labels about six points, the last always', () => {
  assert.deepEqual(labelled(timeTicks(points(20), (i) => i * 10, 240)), [0, 4, 8, 12, 16, 19]);
  assert.deepEqual(labelled(timeTicks(points(3), (i) => i, 240)), [0, 1, 2]);
  assert.deepEqual(labelled(timeTicks(points(1), (i) => i, 240)), [0]);
  assert.deepEqual(timeTicks([], (i) => i, 240), []);
});

test('timeTicks drops the label that would crowd the last', () => {
  // Every third point; the 15th is one point from the last (16th): it yields.
  assert.deepEqual(labelled(timeTicks(points(17), (i) => i, 240)), [0, 3, 6, 9, 12, 16]);
});

test('a tick is centred text under its point, saying its day', () => {
  const tick = timeTicks(points(2), (i) => 50 + i * 100, 240)[1];
  assert.equal(tick.namespaceURI, SVG);
  assert.equal(tick.tagName, 'text');
  assert.deepEqual(tick.attributes, {class: 'tick', x: '150', y: '240', 'text-anchor': 'middle'});
  assert.equal(tick.textContent, '11-02 08:00');
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
