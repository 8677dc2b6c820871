// One held specimen as the review queue shows it: a line saying whose tube it is, the analyzer's
// flags, and one line per held result with what it is, how it compares and why it was held; the
// reason once when every result was held for the same one. The rest of the specimen (its other
// results, the flags not called positive, images) waits behind "more".
import {attachmentList} from './attachments.js';
import {abnormal, age, ago, delta, h, sexWord, when} from './dom.js';

export const VERBS = {
  release: {label: 'Release', key: 'r', done: 'released'},
  rerun: {label: 'Rerun', key: 'e', done: 'sent for rerun'},
  reject: {label: 'Reject', key: 'x', done: 'rejected'},
};

export function testName(r) {
  return r.name && r.name !== r.code ? r.name : r.code;
}

// act(element, verb, rows): a button's wish to open the action panel; focus(row): a click on a row.
export function heldCard(s, {canAct, act, focus}) {
  const title = `specimen-${s.specimen_row_id}`;
  const sameWhy = commonReason(s.results);
  const rows = s.results.map((r) => resultRow(s, r, {canAct, act, focus, showWhy: !sameWhy}));
  const element = h('article', {class: 'card', 'aria-labelledby': title, dataset: {specimenRowId: s.specimen_row_id, specimenId: s.specimen_id}},
    h('header', {class: 'card-head'},
      h('h2', {id: title}, h('span', {class: 'label'}, 'Specimen '), s.specimen_id || '(no ID)'),
      s.priority === 'stat' || s.priority === 'asap'
        ? h('strong', {class: `badge ${s.priority}`}, s.priority.toUpperCase()) : null,
      h('dl', {class: 'facts'},
        fact('Patient', s.patient_id || 'not sent'),
        fact('Age, sex', `${age(s.patient_birth_date, s.received_at) || 'age not sent'}, ${sexWord(s.patient_sex)}`, true),
        fact('Analyzer', s.analyzer, true),
        fact('Received', h('time', {datetime: s.received_at, title: `${when(s.received_at)} (${ago(s.received_at)})`}, shortWhen(s.received_at)))),
      h('span', {class: 'presence', hidden: true}),
      canAct && s.results.length > 1 ? h('span', {class: 'card-actions'},
        Object.entries(VERBS).map(([verb, v]) => h('button', {type: 'button', class: `act ${verb}`,
          onclick: () => act(element, verb, heldRows(element))}, `${v.label} all`,
          h('span', {class: 'sr-only'}, ` held results of specimen ${s.specimen_id}`), h('kbd', {}, `⇧${v.key.toUpperCase()}`)))) : null,
      h('a', {class: 'open', href: `#/specimens/${encodeURIComponent(s.specimen_id)}`}, 'History')),
    instrumentFlags(s),
    comments(s),
    sameWhy ? h('p', {class: 'held-why'}, h('span', {class: 'sr-only'}, 'Why held: '), whyHeld(s.results[0])) : null,
    h('p', {class: 'qc-state', hidden: true}),
    h('table', {class: 'results'},
      h('caption', {class: 'sr-only'}, `Results of specimen ${s.specimen_id} held for review`),
      h('thead', {}, h('tr', {},
        ['Test', 'Result', 'Reference', 'Flag', 'Previous', 'Delta', sameWhy ? null : 'Why held', canAct ? 'Act' : null]
          .filter(Boolean).map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, rows)),
    h('div', {class: 'confirm', hidden: true}),
    h('p', {class: 'card-note', role: 'status', 'aria-live': 'polite'}),
    h('div', {class: 'more', hidden: true}, moreOf(s)));
  return element;
}

export function heldRows(element) {
  return [...element.querySelectorAll('tr.result:not(.decided)')];
}

function resultRow(s, r, {canAct, act, focus, showWhy}) {
  const flag = abnormal(r.abnormal_flag);
  const previous = (r.previous || [])[0];
  const critical = s.kind === 'patient' &&
    ((r.rules_fired || []).some((f) => f.action !== 'release' && /critical/i.test(`${f.rule_id} ${f.reason}`)) ||
      (flag && flag.level === 'critical'));
  const name = testName(r);
  const row = h('tr', {class: `result${flag ? ` ${flag.level}` : ''}${critical ? ' critical' : ''}`, tabindex: -1,
    dataset: {resultId: r.result_id, code: r.code, name}, onclick: (e) => {
      if (!e.target.closest('button, a')) focus(row);
    }},
    h('th', {scope: 'row', title: name !== r.code ? `code ${r.code}` : null}, name),
    h('td', {class: 'value'}, critical ? h('strong', {class: 'badge critical'}, 'CRITICAL') : null, critical ? ' ' : null, r.value,
      r.units ? h('small', {class: 'units'}, ` ${r.units}`) : null),
    h('td', {class: 'reference', title: r.reference_source === 'rules' ? 'from the rules (the analyzer sent none)' : null},
      r.reference_range || '', r.reference_range && r.reference_source === 'rules' ? h('small', {class: 'muted'}, ' rules') : null),
    h('td', {class: 'flag'}, flag ? h('span', {title: flag.words}, h('span', {'aria-hidden': 'true'}, flag.arrow), ' ', flag.words) : 'normal',
      (r.flags || []).length ? h('span', {class: 'result-flags'}, ` ${r.flags.join(' ')}`) : null),
    h('td', {class: 'previous'}, previous ? [previous.value, ' ', h('small', {title: when(previous.received_at)}, shortWhen(previous.received_at))] : h('small', {}, 'none')),
    h('td', {class: 'delta'}, previous ? delta(r.value, previous.value) : ''),
    showWhy ? h('td', {class: 'why'}, whyHeld(r)) : null,
    canAct ? h('td', {class: 'row-actions'}, Object.entries(VERBS).map(([verb, v]) =>
      h('button', {type: 'button', class: `act ${verb}`, 'aria-label': `${v.label} ${name} of specimen ${s.specimen_id}`,
        onclick: () => act(row.closest('article'), verb, [row])}, v.label))) : null);
  row.result = r;
  return row;
}

function reasonKey(r) {
  const fired = (r.rules_fired || []).filter((f) => f.action !== 'release');
  return fired.length ? fired.map((f) => `${f.action}|${f.rule_id}|${f.reason}`).join('\n') : `|${r.reason || ''}`;
}

// The held results' one reason, when there is more than one result and they all share it.
function commonReason(results) {
  if (results.length < 2) return false;
  const first = reasonKey(results[0]);
  return results.every((r) => reasonKey(r) === first);
}

// The holds and reruns in words; what else fired (a comment, a reflex test) by its rule, its words
// in the title.
export function whyHeld(r) {
  const fired = (r.rules_fired || []).filter((f) => f.action !== 'release');
  if (fired.length === 0) return r.reason || 'held';
  const holding = fired.filter((f) => f.action === 'hold' || f.action === 'rerun');
  const also = fired.filter((f) => !holding.includes(f));
  return h('ul', {class: 'fired'}, (holding.length ? holding : fired).map((f) =>
    h('li', {title: `rule ${f.rule_id}`}, h('span', {class: `action ${f.action}`}, f.action), ' ', f.reason || '', ' ', h('small', {class: 'rule'}, f.rule_id))),
  holding.length && also.length ? h('li', {class: 'also'}, h('small', {}, 'also: ', also.map((f, i) =>
    h('span', {title: f.reason || ''}, i ? ', ' : '', `${f.action} ${f.rule_id}`)))) : null);
}

// The flags the analyzer called positive stand out; the count of the others it reported, which
// "more" lists.
function instrumentFlags(s) {
  const flags = s.specimen_flags || [];
  const positive = flags.filter((f) => f.positive !== false);
  const other = flags.filter((f) => f.positive === false);
  if (flags.length === 0) return null;
  return h('div', {class: `instrument-flags${positive.length ? '' : ' quiet'}`, role: 'note'},
    positive.length ? [h('strong', {}, h('span', {'aria-hidden': 'true'}, '⚠ '), 'Instrument flags: '), named(positive)] : null,
    other.length ? h('span', {class: 'suspect'}, positive.length ? ` · ${other.length} more reported, not positive` : `${other.length} flag${other.length === 1 ? '' : 's'} reported, not positive`) : null);
}

function named(flags) {
  return flags.map((f, i) => h('span', {class: 'ip'}, i ? ', ' : '', f.name,
    f.score !== null && f.score !== undefined ? ` (Q ${f.score})` : ''));
}

function moreOf(s) {
  const other = (s.specimen_flags || []).filter((f) => f.positive === false);
  return [
    h('div', {class: 'rest'}),
    other.length ? h('p', {class: 'suspect'}, 'Reported, not positive: ', named(other)) : null,
    attachmentList(s.attachments, s.specimen_id),
  ];
}

// The specimen's other results (what the rules released, what is still to come), from its
// transmission as `GET /api/v1/specimens/{id}` gives it: read when "more" first opens.
export function restOfSpecimen(s, transmission) {
  const held = new Set(s.results.map((r) => r.code));
  const rest = (transmission?.results || []).filter((r) => !held.has(r.code));
  if (rest.length === 0) return h('p', {class: 'muted'}, 'No other result in this transmission.');
  return h('table', {class: 'list other-results'},
    h('caption', {}, `The rest of specimen ${s.specimen_id}: ${rest.length} result${rest.length === 1 ? '' : 's'} not held`),
    h('thead', {}, h('tr', {}, ['Test', 'Result', 'Reference', 'Flag', 'Decision'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rest.map((r) => {
      const flag = abnormal(r.abnormal_flag);
      const current = (r.decisions || []).find((d) => d.is_current);
      return h('tr', {class: flag ? flag.level : ''}, h('th', {scope: 'row'}, testName(r)),
        h('td', {}, r.value, r.units ? h('small', {}, ` ${r.units}`) : null), h('td', {}, r.reference_range || ''),
        h('td', {}, flag ? `${flag.arrow} ${flag.words}` : ''),
        h('td', {}, current ? `${current.decision} by ${current.decided_by}` : 'not decided'));
    })));
}

function comments(s) {
  const all = [...(s.comments || []), ...s.results.flatMap((r) => (r.comments || []).map((c) => `${testName(r)}: ${c}`))];
  return all.length ? h('p', {class: 'comments'}, h('strong', {}, 'Comments: '), all.join(' · ')) : null;
}

// A label a technologist does not need to read the value (an age and sex, an analyzer's name) is
// there for screen readers only.
function fact(name, value, plain = false) {
  return h('div', {}, h('dt', {class: plain ? 'sr-only' : null}, name), h('dd', {}, value));
}

// 14:05 today, 12-06 14:05 this year, else the whole date.
function shortWhen(iso, now = new Date()) {
  const full = when(iso);
  if (!full) return '';
  if (full.slice(0, 10) === when(now.toISOString()).slice(0, 10)) return full.slice(11);
  return full.slice(0, 4) === String(now.getFullYear()) ? full.slice(5) : full;
}
