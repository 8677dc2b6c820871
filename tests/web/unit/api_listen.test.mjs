// web/api.js listen: the page sends through the live socket when it is open, is told 'live' after
// each (re)connect (to say its presence again), and resumes after the last event seen.
import assert from 'node:assert/strict';
import {mock, test} from 'node:test';
import {pageModule} from './page_modules.mjs';

globalThis.sessionStorage = {getItem: () => 'hl_token'};
const {listen} = await pageModule('api.js');

function sockets() {
  const opened = [];
  const open = (path) => {
    const socket = {path, readyState: 0, sent: [], send(text) { this.sent.push(text); }, close() {}};
    opened.push(socket);
    return socket;
  };
  return {opened, open};
}

test('a message is sent only while the socket is open, as JSON', () => {
  const {opened, open} = sockets();
  const states = [];
  const stop = listen(() => {}, (s) => states.push(s), open);
  assert.equal(opened[0].path, '/api/v1/events?access_token=hl_token');
  assert.equal(stop.send({type: 'presence', specimen_row_id: 1}), false, 'not open yet');
  opened[0].readyState = 1;
  opened[0].onopen();
  assert.deepEqual(states, ['live']);
  assert.equal(stop.send({type: 'presence', specimen_row_id: 1}), true);
  assert.deepEqual(opened[0].sent, ['{"type":"presence","specimen_row_id":1}']);
  stop();
});

test('after a loss it reconnects from the last event seen and says live again', () => {
  mock.timers.enable({apis: ['setTimeout']});
  try {
    const {opened, open} = sockets();
    const states = [], events = [];
    const stop = listen((e) => events.push(e), (s) => states.push(s), open);
    opened[0].readyState = 1;
    opened[0].onopen();
    opened[0].onmessage({data: '{"type":"presence_snapshot","session":4,"present":[]}'});
    opened[0].onmessage({data: '{"type":"released","seq":17}'});
    opened[0].onmessage({data: 'not json'});
    opened[0].readyState = 3;
    opened[0].onclose();
    assert.equal(stop.send({type: 'presence', specimen_row_id: null}), false, 'no socket open now');
    mock.timers.tick(500);
    assert.equal(opened.length, 2);
    assert.equal(opened[1].path, '/api/v1/events?access_token=hl_token&since=17');
    opened[1].readyState = 1;
    opened[1].onopen();
    assert.deepEqual(states, ['live', 'reconnecting', 'live']);
    assert.deepEqual(events.map((e) => e.type), ['presence_snapshot', 'released']);
    stop();
  } finally {
    mock.timers.reset();
  }
});
