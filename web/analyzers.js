// The analyzers board: each analyzer's state, peer, last message and counts, its QC gate and the
// patient averages in an excursion, kept live by the connection, message and qc events.
import {get, query} from './api.js';
import {ago, clear, h, when} from './dom.js';
import {method} from './average_chart.js';

export function analyzersPage(root, app) {
  const board = h('div', {class: 'board'});
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Analyzers'),
    h('p', {class: 'summary'}, 'Messages since midnight; link errors and results since hemalink started. Updated live.')), board);
  let pending = null;

  async function load() {
    try {
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      const [data, qc, {averages}] = await Promise.all([
        get(`/api/v1/analyzers${query({since: midnight.toISOString()})}`), get('/api/v1/qc/gates'), get('/api/v1/qc/averages')]);
      board.replaceChildren(...data.analyzers.map((a) => tile(a, qc.gates.filter((g) => g.analyzer === a.name && g.under_qc),
        averages.filter((e) => e.analyzer === a.name && e.is_excursion))));
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

// The QC gate of the analyzer's tests in a line: out first, then unknown, else in control; then
// the patient averages in an excursion (a warning when it does not act on the gate).
function qcFact(analyzer, gates, excursions) {
  const out = gates.filter((g) => g.status === 'out').map((g) => g.test);
  const unknown = gates.filter((g) => g.status === 'unknown').map((g) => g.test);
  const warned = excursions.map((e) => `${method(e)} ${e.test}${e.acts_on_gate ? '' : ' (warning)'}`);
  const words = [out.length ? `OUT: ${out.join(', ')}` : '', unknown.length ? `unknown: ${unknown.join(', ')}` : '']
    .filter(Boolean).join(' · ') || (gates.length ? `all ${gates.length} in control` : 'no test under QC yet');
  const link = h('a', {href: `#/qc/${encodeURIComponent(analyzer)}`, class: `qc-summary${out.length ? ' out' : ''}`}, words);
  return warned.length ? [link, h('span', {class: 'qc-excursion'}, ` · excursion: ${warned.join(', ')}`)] : link;
}

function tile(a, gates, excursions) {
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
      fact('QC', qcFact(a.name, gates, excursions)),
      fact('Results since start', `${a.results_since_start.release} released, ${a.results_since_start.hold} held, ${a.results_since_start.rerun_or_reject} rerun or rejected, ${a.results_since_start.qc || 0} of controls (judged by QC)`)));
}

function fact(name, value) {
  return h('div', {}, h('dt', {}, name), h('dd', {}, value));
}
