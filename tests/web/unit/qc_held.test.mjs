// web/qc_held.js: what the QC gate of a held result says now, from the groups of
// GET /api/v1/qc/held (what the review queue shows on each gated card).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {qcStateOf} = await pageModule('qc_held.js');

const at = (hours, minutes) => new Date(new Date().setHours(hours, minutes, 0, 0)).toISOString();
const group = (fields) => ({analyzer: 'xn-1', test: 'WBC', rejected_at: '2026-12-07T09:00:00Z',
  still_out: false, accepted_at: null, gate: {status: 'in', reason: ''}, held: [{result_id: 7}, {result_id: 8}], ...fields});

test('a result of a group whose gate is still out for that failure', () => {
  const g = group({still_out: true, gate: {status: 'out', reason: 'QC rejected at ...'}});
  const state = qcStateOf({result_id: 8}, [g]);
  assert.equal(state.words, 'QC still out');
  assert.equal(state.stillOut, true);
  assert.equal(state.group, g);
});

test('QC accepted again today says the time; another day says the day too', () => {
  assert.equal(qcStateOf(7, [group({accepted_at: at(10, 55)})]).words, 'QC accepted again at 10:55');
  const earlier = new Date(2026, 0, 5, 10, 55).toISOString();
  assert.equal(qcStateOf(7, [group({accepted_at: earlier})]).words, 'QC accepted again at 2026-01-05 10:55');
});

test('the group that holds it is found among several; a result none holds has no state', () => {
  const other = group({test: 'HGB', held: [{result_id: 9}], still_out: true});
  assert.equal(qcStateOf(9, [group({}), other]).group, other);
  assert.equal(qcStateOf({result_id: 99}, [group({}), other]), null);
  assert.equal(qcStateOf(7, undefined), null);
});

test('no accepted run found but the gate is in: it says the gate', () => {
  assert.equal(qcStateOf(7, [group({})]).words, 'QC in control');
});
