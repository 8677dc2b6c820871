// web/comment_codes.js: a code typed and followed by a space or punctuation becomes its text;
// Enter on a field ending in a code expands it (and the page does not submit); the codes offered
// for the word being typed; free text and unknown codes left as typed.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {codeMap, expandTyped, expandLast, offered, takeOffered, wordEndingAt} = await pageModule('comment_codes.js');

const codes = codeMap({codes: [
  {code: '.ok', text: 'Reviewed, consistent with previous', source: 'configuration'},
  {code: '.called', text: 'Critical value called to the ward: name, time', source: 'configuration'},
  {code: '.clot', text: 'Clotted specimen: new specimen requested', source: 'api'},
  {code: '.rep', text: 'Repeated, confirmed', source: 'configuration'},
]});

// What the field holds after typing `typed`, one character at a time, as the page expands it.
function type(typed) {
  let value = '', caret = 0;
  for (const ch of typed) {
    value = value.slice(0, caret) + ch + value.slice(caret);
    caret += 1;
    const expanded = expandTyped(value, caret, codes);
    if (expanded) ({value, caret} = expanded);
  }
  return {value, caret};
}

test('the answer of GET /api/v1/review/comments becomes a map of code to text', () => {
  assert.equal(codes.size, 4);
  assert.equal(codes.get('.ok'), 'Reviewed, consistent with previous');
  assert.deepEqual([...codeMap(undefined)], []);
});

test('a code followed by a space or punctuation is expanded in place, the caret after it', () => {
  assert.deepEqual(type('.ok '), {value: 'Reviewed, consistent with previous ', caret: 35});
  assert.equal(type('.clot, .called.').value,
    'Clotted specimen: new specimen requested, Critical value called to the ward: name, time.');
  assert.equal(type('Seen. .rep;').value, 'Seen. Repeated, confirmed;');
});

test('a code in the middle of the text is expanded where it is typed', () => {
  const value = 'before  after';
  const withCode = `${value.slice(0, 7)}.ok${value.slice(7)}`;
  const typedSpace = `${withCode.slice(0, 10)} ${withCode.slice(10)}`;
  assert.deepEqual(expandTyped(typedSpace, 11, codes),
    {value: 'before Reviewed, consistent with previous  after', caret: 42});
});

test('free text, unknown codes and dots inside words are left as typed', () => {
  for (const text of ['WBC 3.5 confirmed ', 'e.g. repeat ', '.unknown code ', 'x.ok ', '.OK ', '..ok ']) {
    assert.equal(type(text).value, text, text);
  }
  assert.equal(expandTyped('.ok', 3, codes), null, 'no space or punctuation typed yet');
});

test('Enter on a field whose last word is a code expands it; otherwise Enter is the page\'s', () => {
  assert.deepEqual(expandLast('Film seen .ok', codes),
    {value: 'Film seen Reviewed, consistent with previous', caret: 44});
  assert.deepEqual(expandLast('.rep  ', codes), {value: 'Repeated, confirmed', caret: 19});
  assert.equal(expandLast('Reviewed, consistent with previous', codes), null, 'the second Enter submits');
  assert.equal(expandLast('.nope', codes), null);
  assert.equal(expandLast('', codes), null);
});

test('the codes starting with the word being typed are offered, ignoring case, by code', () => {
  assert.deepEqual(offered('.c', 2, codes).map((o) => o.code), ['.called', '.clot']);
  assert.deepEqual(offered('Film seen .CL', 13, codes), [{code: '.clot', text: 'Clotted specimen: new specimen requested'}]);
  assert.deepEqual(offered('.', 1, codes).map((o) => o.code), ['.called', '.clot', '.ok', '.rep']);
  assert.deepEqual(offered('ok', 2, codes), [], 'not a code without its dot');
  assert.deepEqual(offered('.ok done', 8, codes), [], 'only the word at the caret');
  assert.deepEqual(offered('.x', 2, codes), []);
});

test('a code taken from the list replaces the word typed so far', () => {
  assert.deepEqual(takeOffered('Film seen .cl', 13, 'Clotted specimen: new specimen requested'),
    {value: 'Film seen Clotted specimen: new specimen requested', caret: 50});
});

test('a code word is a dot and up to 16 letters or digits after a space or at the start', () => {
  assert.deepEqual(wordEndingAt('a .b2', 5), {start: 2, word: '.b2'});
  assert.equal(wordEndingAt('a .abcdefghijklmnopq', 20), null);
  assert.equal(wordEndingAt('a,.ok', 5), null);
});
