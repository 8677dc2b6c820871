// web/dom.js: the elements of the page, and how values are written for a technologist.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {abnormal, age, ago, clear, delta, h, number, sexWord, when} = await pageModule('dom.js');

test('h sets attributes, listeners and data, and skips what is absent', () => {
  const onclick = () => {};
  const e = h('button', {type: 'button', disabled: true, hidden: false, title: null, tabindex: 0,
    onclick, dataset: {resultId: '7'}});
  assert.equal(e.tagName, 'button');
  assert.deepEqual(e.attributes, {type: 'button', disabled: '', tabindex: '0'});
  assert.deepEqual(e.listeners, {click: [onclick]});
  assert.deepEqual(e.dataset, {resultId: '7'});
  assert.deepEqual(h('p', null).attributes, {});
});

test('h appends children in order, arrays at any depth, absent ones skipped', () => {
  const e = h('td', {}, 'PLT ', 45, null, [h('small', {}, 'low'), [false, ' x', [undefined, 2]]]);
  assert.deepEqual(e.children.map((c) => c.tagName ?? c), ['PLT ', '45', 'small', ' x', '2']);
  assert.equal(e.textContent, 'PLT 45low x2');
});

test('clear replaces every child', () => {
  const e = h('div', {}, 'old', h('p', {}));
  assert.equal(clear(e, 'new', [null, 'er']), e);
  assert.deepEqual(e.children, ['new', 'er']);
  assert.deepEqual(clear(e).children, []);
});

test('when writes local date and minutes, nothing for nothing, and text it cannot read as it is', () => {
  assert.equal(when(new Date(2026, 10, 28, 14, 5, 59).toISOString()), '2026-11-28 14:05');
  assert.equal(when(''), '');
  assert.equal(when(null), '');
  assert.equal(when('yesterday'), 'yesterday');
});

test('ago counts minutes, then hours up to two days, then days', () => {
  const now = Date.UTC(2026, 10, 28, 12);
  const before = (minutes) => new Date(now - minutes * 60000).toISOString();
  assert.equal(ago(before(0), now), '0 min ago');
  assert.equal(ago(before(59), now), '59 min ago');
  assert.equal(ago(before(60), now), '1 h ago');
  assert.equal(ago(before(47 * 60 + 29), now), '47 h ago');
  assert.equal(ago(before(48 * 60), now), '2 d ago');
  assert.equal(ago(before(-5), now), '0 min ago', 'a clock a little ahead is not the future');
  assert.equal(ago('', now), '');
});

test('age is whole years from two, months under two, days under a month', () => {
  const at = (y, m, d) => new Date(y, m - 1, d, 10).toISOString();
  assert.equal(age('19580312', at(2026, 3, 11)), '67 y', 'the day before the birthday');
  assert.equal(age('1958-03-12', at(2026, 3, 12)), '68 y', 'on the birthday, either form');
  assert.equal(age('20250101', at(2026, 3, 1)), '13 mo');
  assert.equal(age('20260220', at(2026, 3, 1)), '9 d');
  assert.equal(age('20260301', at(2026, 3, 1)), '0 d');
  assert.equal(age('', at(2026, 3, 1)), '');
  assert.equal(age('1958', at(2026, 3, 1)), '', 'a year alone is no birth date');
});

test('sexWord writes the HL7 and ASTM codes as words', () => {
  assert.deepEqual(['M', 'F', 'O', 'U'].map(sexWord), ['male', 'female', 'other', 'unknown']);
  assert.equal(sexWord(''), 'sex not sent');
  assert.equal(sexWord('X'), 'X');
});

test('abnormal gives each flag words and an arrow, never colour alone', () => {
  assert.equal(abnormal('N'), null);
  assert.equal(abnormal(''), null);
  assert.equal(abnormal(undefined), null);
  assert.deepEqual(abnormal('HH'), {level: 'critical', arrow: '▲▲', words: 'critically high'});
  assert.deepEqual(abnormal('>'), abnormal('HH'));
  assert.deepEqual(abnormal('ll'), {level: 'critical', arrow: '▼▼', words: 'critically low'});
  assert.deepEqual(abnormal('<'), abnormal('LL'));
  assert.deepEqual(abnormal('H'), {level: 'abnormal', arrow: '▲', words: 'high'});
  assert.deepEqual(abnormal('L'), {level: 'abnormal', arrow: '▼', words: 'low'});
  assert.deepEqual(abnormal('a'), {level: 'abnormal', arrow: '◆', words: 'abnormal (A)'});
});

test('number reads numbers and numeric text, and nothing else', () => {
  assert.equal(number(7), 7);
  assert.equal(number('5.60'), 5.6);
  assert.equal(number('----'), null);
  assert.equal(number(''), null);
  assert.equal(number(Number.NaN), null);
});

test('delta is signed, with the values\' decimals and the change in percent', () => {
  assert.equal(delta('60', '45'), '+15 (+33 %)');
  assert.equal(delta('5.10', '5'), '+0.10 (+2 %)');
  assert.equal(delta(12.9, 12.9), '+0.0 (+0 %)', 'numbers too, by their text');
  // The difference is written with a minus sign (U+2212), its percent as Number writes it.
  assert.equal(delta('4.25', '4.5'), '−0.25 (-6 %)');
  assert.equal(delta('5', '0'), '+5', 'no percent of zero');
  assert.equal(delta('1.123456', '1'), '+0.1235 (+12 %)', 'four decimals at most');
  assert.equal(delta('----', '45'), '');
  assert.equal(delta('60', null), '');
});
