// web/presence.js: what this page tells the server it has open (and again after a reconnect),
// and who else has a specimen open, from the snapshot and the presence events.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {presence, othersSentence} = await pageModule('presence.js');

function board(canClaim = true) {
  const sent = [];
  const p = presence({send: (m) => sent.push(m), canClaim});
  return {p, sent};
}

test('opening a specimen tells the server once, and again after a reconnect', () => {
  const {p, sent} = board();
  p.open(42);
  p.open(42);
  assert.deepEqual(sent, [{type: 'presence', specimen_row_id: 42}]);
  p.resend();
  assert.deepEqual(sent.at(-1), {type: 'presence', specimen_row_id: 42});
  p.open(null);
  assert.deepEqual(sent.at(-1), {type: 'presence', specimen_row_id: null});
  const count = sent.length;
  p.resend();
  assert.equal(sent.length, count, 'nothing open: nothing to say to a new socket');
});

test('a viewer tells nothing', () => {
  const {p, sent} = board(false);
  p.open(42);
  p.resend();
  assert.deepEqual(sent, []);
});

test('the snapshot and the events say who else has which specimen open; my own session is not one', () => {
  const {p} = board();
  const changes = [];
  p.onChange((ids) => changes.push(ids));
  assert.equal(p.onEvent({type: 'presence_snapshot', session: 5, present: [
    {user: 'anna', session: 3, specimen_row_id: 42},
    {user: 'tom', session: 5, specimen_row_id: 42},
  ]}), true);
  assert.equal(p.session, 5);
  assert.deepEqual(p.othersOn(42), [{user: 'anna', session: 3}]);
  assert.deepEqual(changes, [[42]]);
  p.onEvent({type: 'presence', user: 'bo', session: 9, specimen_row_id: 42, seq: 10});
  assert.deepEqual(p.othersOn(42).map((o) => o.user), ['anna', 'bo']);
  p.onEvent({type: 'presence', user: 'anna', session: 3, specimen_row_id: 7, seq: 11});
  assert.deepEqual(p.othersOn(42).map((o) => o.user), ['bo']);
  assert.deepEqual(p.othersOn(7), [{user: 'anna', session: 3}]);
  assert.deepEqual(changes.at(-1), [42, 7], 'both cards change');
  p.onEvent({type: 'presence', user: 'anna', session: 3, specimen_row_id: null, seq: 12});
  assert.deepEqual(p.othersOn(7), [], 'her page closed');
  assert.equal(p.onEvent({type: 'released', result_id: 1}), false);
});

test('a new snapshot (after a reconnect) replaces everything known', () => {
  const {p} = board();
  const changes = [];
  p.onEvent({type: 'presence_snapshot', session: 1, present: [{user: 'anna', session: 3, specimen_row_id: 42}]});
  p.onChange((ids) => changes.push(ids));
  p.onEvent({type: 'presence_snapshot', session: 8, present: [{user: 'tom', session: 1, specimen_row_id: 9}]});
  assert.deepEqual(p.othersOn(42), []);
  assert.deepEqual(p.othersOn(9), [{user: 'tom', session: 1}], 'my old session is another page now');
  assert.deepEqual(changes, [[42, 9]]);
});

test('the same user in another tab is one of the others', () => {
  const {p} = board();
  p.onEvent({type: 'presence_snapshot', session: 2, present: [{user: 'tom', session: 1, specimen_row_id: 4}]});
  assert.deepEqual(p.othersOn(4), [{user: 'tom', session: 1}]);
});

test('a card says who has it open in words', () => {
  assert.equal(othersSentence([]), '');
  assert.equal(othersSentence([{user: 'anna', session: 3}]), 'anna has it open');
  assert.equal(othersSentence([{user: 'anna', session: 3}, {user: 'anna', session: 4}]), 'anna has it open');
  assert.equal(othersSentence([{user: 'anna', session: 3}, {user: 'bo', session: 4}, {user: 'tom', session: 1}]),
    'anna, bo and tom have it open');
});
