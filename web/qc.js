// Quality control, answering "what is out, and what was held": the results held by failed runs
// on top (qc_held.js: one decision per group, listed until every result is decided), the QC gate
// of every analyzer's tests with the patient averages' excursions beside them, then the test
// chosen (what is out first): its Levey-Jennings charts (one per level, one under the other), the
// patient results released around its latest failure, and the analyzer's patient-based averages:
// Bull's XbarM of the red-cell indices first, then the moving averages and EWMAs the lab watches
// on other tests. Kept live by the qc and review events.
import {get, query} from './api.js';
import {ago, clear, h, when} from './dom.js';
import {averageChart, method} from './average_chart.js';
import {leveyJennings} from './levey_jennings.js';
import {heldGroups, heldGroupsView} from './qc_held.js';

const RED_CELL_INDICES = ['MCV', 'MCH', 'MCHC'];

// Red-cell indices first (in their order), then the other tests by name.
function byIndexThenName(a, b) {
  const rank = (t) => (RED_CELL_INDICES.includes(t) ? RED_CELL_INDICES.indexOf(t) : RED_CELL_INDICES.length);
  return rank(a.test) - rank(b.test) || a.test.localeCompare(b.test);
}

export function qcPage(root, app, analyzer, test) {
  const held = heldGroupsView({onDecided: () => loadHeld()});
  const board = h('section', {class: 'qc-gates', 'aria-labelledby': 'qc-gates-title'});
  const detail = h('div', {class: 'qc-detail'});
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Quality control'),
    h('p', {class: 'summary'}, 'A rejected run puts its test out (its patient results are held) until an accepted run; without an accepted run within the interval it is unknown. Updated live.')),
  held.element, board, detail);
  let pending = null;
  let pendingHeld = null;

  async function loadHeld() {
    try {
      const groups = await heldGroups();
      held.show(groups);
      return groups;
    } catch (e) {
      app.error(`The held results could not be read: ${e.message}`);
      return [];
    }
  }

  async function load() {
    try {
      const [{gates}, {averages}, groups] = await Promise.all([
        get('/api/v1/qc/gates'), get('/api/v1/qc/averages'), loadHeld()]);
      const chosen = choose(gates, groups, analyzer, test);
      clear(board, h('h2', {id: 'qc-gates-title'}, 'The QC gate'), gateTable(gates, excursionsOf(averages), chosen));
      if (chosen) await showTest(detail, chosen);
      else clear(detail, h('p', {class: 'empty'}, 'No control result has arrived yet.'));
      app.error('');
    } catch (e) {
      app.error(`The QC could not be read: ${e.message}`);
    }
  }

  load();
  return {
    onLeave() {
      held.closeOpen();
    },
    onEvent(event) {
      if (['released', 'rerun', 'rejected', 'held'].includes(event.type)) {
        clearTimeout(pendingHeld);
        pendingHeld = setTimeout(loadHeld, 300);
      }
      if (!['qc', 'qc_alarm', 'gap'].includes(event.type)) return;
      clearTimeout(pending);
      pending = setTimeout(load, 300);
    },
  };
}

// The test asked for; else, on the analyzer asked for and then on any: what is out, else the test
// of the oldest group of held results, else the test under QC whose control came last (never one
// that has sent nothing while another has).
function choose(gates, groups, analyzer, test) {
  const of = (a, t) => gates.find((g) => g.analyzer === a && g.test === t) ||
    {analyzer: a, test: t, status: 'unknown', under_qc: false, reason: ''};
  if (analyzer && test) return of(analyzer, test);
  const on = (a) => {
    const mine = gates.filter((g) => !a || g.analyzer === a);
    const group = groups.find((g) => !a || g.analyzer === a);
    const latest = mine.filter((g) => g.last_run_at).sort((x, y) => y.last_run_at.localeCompare(x.last_run_at));
    return mine.find((g) => g.status === 'out') || (group && of(group.analyzer, group.test)) || latest[0] || null;
  };
  return (analyzer && on(analyzer)) || on(null) || gates[0] || null;
}

// The patient averages whose latest point is an excursion, by analyzer and test.
function excursionsOf(averages) {
  return averages.filter((a) => a.is_excursion);
}

const STATUS_WORDS = {in: 'in control', out: 'OUT of control', unknown: 'unknown'};

// An excursion that acts on the gate has put its test out (the gate's reason says so); one that
// does not is a warning: results are not held for it, but someone should look.
function excursionWords(e) {
  return `${method(e)} excursion at ${when(e.at)}: ${e.value.toFixed(2)} outside ${e.low.toFixed(2)}–${e.high.toFixed(2)}` +
    (e.acts_on_gate ? '' : ' (a warning: results are not held for it)');
}

function gateTable(gates, excursions, chosen) {
  const beside = excursions.filter((e) => !gates.some((g) => g.analyzer === e.analyzer && g.test === e.test));
  if (!gates.length && !beside.length) return h('p', {class: 'empty'}, 'No test has a control yet.');
  const isChosen = (a, t) => chosen && a === chosen.analyzer && t === chosen.test;
  const link = (a, t) => h('a', {href: `#/qc/${encodeURIComponent(a)}/${encodeURIComponent(t)}`}, t);
  return h('table', {class: 'list gates'},
    h('thead', {}, h('tr', {}, ['Analyzer', 'Test', 'Status', 'Why', 'Last control'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, gates.map((g) => {
      const own = excursions.filter((e) => e.analyzer === g.analyzer && e.test === g.test);
      const warning = own.some((e) => !e.acts_on_gate) && g.status !== 'out';
      return h('tr', {class: `gate-${g.under_qc ? g.status : 'establishing'}${warning ? ' gate-warning' : ''}${isChosen(g.analyzer, g.test) ? ' chosen' : ''}`},
        h('td', {}, g.analyzer),
        h('th', {scope: 'row'}, link(g.analyzer, g.test)),
        h('td', {}, g.under_qc ? h('span', {class: `badge qc-${g.status}`}, STATUS_WORDS[g.status]) : h('span', {class: 'badge'}, 'establishing, not gated'),
          warning ? [' ', h('span', {class: 'badge qc-warning'}, 'excursion')] : null),
        h('td', {class: 'reason'}, [g.reason || '', ...own.map((e) => h('span', {class: 'excursion'}, excursionWords(e)))].filter(Boolean)),
        h('td', {}, g.last_run_at ? h('time', {datetime: g.last_run_at}, `${when(g.last_run_at)} (${ago(g.last_run_at)})`) : 'none judged'));
    }),
    beside.map((e) => h('tr', {class: `gate-warning${e.acts_on_gate ? ' gate-out' : ''}${isChosen(e.analyzer, e.test) ? ' chosen' : ''}`},
      h('td', {}, e.analyzer),
      h('th', {scope: 'row'}, link(e.analyzer, e.test)),
      h('td', {}, h('span', {class: `badge ${e.acts_on_gate ? 'qc-out' : 'qc-warning'}`}, e.acts_on_gate ? 'OUT: excursion' : 'excursion')),
      h('td', {class: 'reason'}, h('span', {class: 'excursion'}, excursionWords(e))),
      h('td', {}, 'no control: a patient average')))));
}

async function showTest(detail, gate) {
  const a = encodeURIComponent(gate.analyzer);
  const t = encodeURIComponent(gate.test);
  const [series, bracket, averages] = await Promise.all([
    get(`/api/v1/qc/${a}/${t}${query({limit: 200})}`),
    gate.status === 'out' ? get(`/api/v1/qc/${a}/${t}/bracket`) : null,
    get(`/api/v1/qc/averages${query({analyzer: gate.analyzer})}`).then(({averages: watched}) =>
      Promise.all(watched.sort(byIndexThenName).map((w) =>
        get(`/api/v1/qc/${a}/${encodeURIComponent(w.test)}/averages${query({limit: 200})}`)))),
  ]);
  clear(detail,
    h('h2', {}, `${gate.test} on ${gate.analyzer}`),
    bracket ? bracketPanel(bracket) : null,
    series.levels.length ? series.levels.map((level) => levelFigure(gate.test, level)) : h('p', {class: 'empty'}, `No control result of ${gate.test} yet.`),
    averagesSection(gate.analyzer, averages));
}

function levelFigure(test, level) {
  const judged = level.points.filter((p) => p.phase === 'judged').length;
  const establishing = level.points.length - judged;
  const lots = [...new Set(level.points.map((p) => p.lot).filter(Boolean))];
  return h('figure', {class: 'qc-level'},
    h('figcaption', {}, `Level ${level.level}`, level.material ? ` · ${level.material}` : '',
      lots.length ? ` · lot ${lots.join(', ')}` : '',
      establishing ? h('span', {class: 'establishing'}, ` · ${establishing} result(s) establishing the target, shown but not judged`) : ''),
    judged ? leveyJennings(test, level) : h('p', {class: 'empty'}, 'Its target is still being established.'));
}

function bracketPanel(b) {
  return h('section', {class: 'bracket', 'aria-labelledby': 'bracket-title'},
    h('h3', {id: 'bracket-title'}, `QC failed at ${when(b.failed_at)}: ${b.results.length} patient result(s) released since the last accepted run${b.accepted_before ? ` (${when(b.accepted_before)})` : ''}`),
    h('p', {class: 'summary'}, 'Review them: nothing has been recalled.'),
    b.results.length ? h('table', {class: 'list'},
      h('thead', {}, h('tr', {}, ['Specimen', 'Patient', 'Result', 'Received', 'Sent to the LIS'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, b.results.map((r) => h('tr', {},
        h('td', {}, h('a', {href: `#/specimens/${encodeURIComponent(r.specimen_id)}`}, r.specimen_id)),
        h('td', {}, r.patient_id || '—'),
        h('td', {}, `${r.value} ${r.units}`),
        h('td', {}, when(r.received_at)),
        h('td', {}, r.sent_to_lis ? 'yes' : 'not yet'))))) : null);
}

function averagesSection(analyzer, averages) {
  const charts = averages.filter((a) => a.points.length);
  return h('section', {class: 'averages', 'aria-labelledby': 'averages-title'},
    h('h3', {id: 'averages-title'}, `Patient averages on ${analyzer}`),
    charts.length ? charts.map((a) => h('figure', {class: 'qc-average'},
      h('figcaption', {}, `${method(a.points[0])} of ${a.test}`),
      averageChart(a.test, a.points)))
      : h('p', {class: 'empty'}, 'No patient average has a point yet (a batch of MCV, MCH or MCHC, or a configured moving average).'));
}
