// The analyzers board: each analyzer's state, peer, last message and counts, kept live by the
// connection and message events.
import {get, query} from './api.js';
import {ago, clear, h, when} from './dom.js';

export function analyzersPage(root, app) {
  const board = h('div', {class: 'board'});
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Analyzers'),
    h('p', {class: 'summary'}, 'Messages since midnight; link errors and results since hemalink started. Updated live.')), board);
  let pending = null;

  async function load() {
    try {
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      const [data, qc] = await Promise.all([
        get(`/api/v1/analyzers${query({since: midnight.toISOString()})}`), get('/api/v1/qc/gates')]);
      board.replaceChildren(...data.analyzers.map((a) => tile(a, qc.gates.filter((g) => g.analyzer === a.name && g.under_qc))));
      app.error('');
    } catch (e) {
      app.error(`The analyzers could not be read: ${e.message}`);
    }
  }

  load();
  return {
    onEvent(event) {
      if (!['analyzer_connected', 'analyzer_disconnected', 'message', 'qc', 'qc_alarm', 'gap'].includes(event.type)) return;
      clearTimeout(pending);
      pending = setTimeout(load, 250);
    },
  };
}

// The QC gate of the analyzer's tests in a line: out first, then unknown, else in control.
function qcFact(analyzer, gates) {
  if (!gates.length) return 'no test under QC yet';
  const out = gates.filter((g) => g.status === 'out').map((g) => g.test);
  const unknown = gates.filter((g) => g.status === 'unknown').map((g) => g.test);
  const words = [out.length ? `OUT: ${out.join(', ')}` : '', unknown.length ? `unknown: ${unknown.join(', ')}` : '']
    .filter(Boolean).join(' · ') || `all ${gates.length} in control`;
  return h('a', {href: `#/qc/${encodeURIComponent(analyzer)}`, class: `qc-summary${out.length ? ' out' : ''}`}, words);
}

function tile(a, gates) {
  const today = a.messages_since || {};
  const total = Object.values(today).reduce((x, y) => x + y, 0);
  const state = a.transport === 'file-drop' ? 'watching' : a.connected ? 'connected' : 'not connected';
  return h('article', {class: `tile ${a.connected ? 'up' : 'down'}`, 'aria-label': `${a.name}, ${state}`},
    h('h2', {}, a.name),
    h('p', {class: 'state'}, h('span', {class: 'dot', 'aria-hidden': 'true'}, a.connected ? '●' : '○'), ' ', state,
      (a.peers || []).length ? ` from ${a.peers.join(', ')}` : ''),
    h('dl', {class: 'facts'},
      fact('Model', [a.model, a.serial].filter(Boolean).join(' · ') || a.driver),
      fact('Link', `${a.protocol} over ${a.transport} ${a.address || ''}`),
      fact('Last message', a.last_message_at ? h('time', {datetime: a.last_message_at}, `${when(a.last_message_at)} (${ago(a.last_message_at)})`) : 'none yet'),
      fact('Messages today', String(total)),
      fact('Rejected today', String(today.rejected || 0)),
      fact('Link errors (NAKs) since start', String(a.link_errors_since_start || 0)),
      fact('QC', qcFact(a.name, gates)),
      fact('Results since start', `${a.results_since_start.release} released, ${a.results_since_start.hold} held, ${a.results_since_start.rerun_or_reject} rerun or rejected, ${a.results_since_start.qc || 0} of controls (judged by QC)`)));
}

function fact(name, value) {
  return h('div', {}, h('dt', {}, name), h('dd', {}, value));
}
