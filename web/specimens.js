// Specimen search (by specimen ID, patient ID, analyzer and date) and the specimen's page: every
// transmission, every result with every decision, who made it, and what went to the LIS and when.
import {get, query} from './api.js';
import {attachmentList} from './attachments.js';
import {abnormal, age, clear, h, sexWord, when} from './dom.js';

export function specimenSearchPage(root, app) {
  const form = h('form', {class: 'search', role: 'search'},
    field('Specimen ID', h('input', {name: 'specimen', id: 'search-specimen', autocomplete: 'off'})),
    field('Patient ID', h('input', {name: 'patient', id: 'search-patient', autocomplete: 'off'})),
    field('Analyzer', h('select', {name: 'analyzer', id: 'search-analyzer'}, h('option', {value: ''}, 'any'))),
    field('From', h('input', {name: 'since', id: 'search-since', type: 'date'})),
    field('To', h('input', {name: 'until', id: 'search-until', type: 'date'})),
    h('button', {type: 'submit'}, 'Search'));
  const results = h('div', {class: 'search-results', 'aria-live': 'polite'});
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Specimens')), form, results);
  form.elements.specimen.focus();  // `/` from any page comes here to type

  get('/api/v1/analyzers').then((data) => {
    const select = form.elements.analyzer;
    for (const a of data.analyzers) select.append(h('option', {value: a.name}, a.name));
  }).catch((e) => app.error(e.message));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    if (v.specimen) {
      location.hash = `#/specimens/${encodeURIComponent(v.specimen.trim())}`;
      return;
    }
    const until = v.until ? new Date(`${v.until}T00:00:00`) : null;
    if (until) until.setDate(until.getDate() + 1);
    try {
      const data = await get(`/api/v1/results${query({
        patient: v.patient.trim(), analyzer: v.analyzer,
        since: v.since ? new Date(`${v.since}T00:00:00`).toISOString() : '',
        until: until ? until.toISOString() : '', limit: 200,
      })}`);
      clear(results, resultTable(data.results || []));
      app.error('');
    } catch (err) {
      app.error(`The search failed: ${err.message}`);
    }
  });
  return {};
}

function field(label, input) {
  return h('div', {class: 'field'}, h('label', {for: input.id}, label), input);
}

function resultTable(rows) {
  if (rows.length === 0) return h('p', {class: 'empty'}, 'No result matches.');
  const bySpecimen = new Map();
  for (const r of rows) {
    if (!bySpecimen.has(r.specimen_id)) bySpecimen.set(r.specimen_id, []);
    bySpecimen.get(r.specimen_id).push(r);
  }
  return h('table', {class: 'list'},
    h('caption', {}, `${bySpecimen.size} specimen${bySpecimen.size === 1 ? '' : 's'} (newest first, at most 200 results)`),
    h('thead', {}, h('tr', {}, ['Specimen', 'Patient', 'Analyzer', 'Received', 'Results'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, [...bySpecimen].map(([id, list]) => h('tr', {},
      h('th', {scope: 'row'}, h('a', {href: `#/specimens/${encodeURIComponent(id)}`}, id)),
      h('td', {}, list[0].patient_id || ''),
      h('td', {}, list[0].analyzer || ''),
      h('td', {}, when(list[0].received_at)),
      h('td', {}, list.map((r) => `${r.code} ${r.value}${r.decision ? ` (${r.decision})` : ''}`).join(', '))))));
}

export function specimenPage(root, app, specimenId) {
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Specimen ', specimenId), h('a', {href: '#/specimens'}, 'Search')),
    h('p', {class: 'loading'}, 'Reading…'));
  get(`/api/v1/specimens/${encodeURIComponent(specimenId)}`).then((data) => {
    const parts = data.transmissions.map(transmission);
    root.querySelector('.loading').replaceWith(...parts);
  }).catch((e) => {
    root.querySelector('.loading').textContent = e.status === 404 ? `No specimen ${specimenId} was received.` : e.message;
  });
  return {};
}

function transmission(t) {
  return h('section', {class: 'transmission card'},
    h('h2', {}, `${t.analyzer} · ${when(t.received_at)}`, t.is_rerun ? ' · rerun' : ''),
    h('dl', {class: 'facts'},
      fact('Patient', t.patient_id || 'not sent'),
      fact('Age', age(t.patient_birth_date, t.received_at) || 'not sent'),
      fact('Sex', sexWord(t.patient_sex)),
      fact('Kind', t.kind),
      t.kind === 'qc' ? fact('QC', [t.qc_material, t.qc_level, t.qc_lot].filter(Boolean).join(' ')) : null,
      fact('Message', h('code', {}, t.message_id))),
    (t.specimen_flags || []).length ? h('div', {class: 'instrument-flags', role: 'note'},
      h('strong', {}, '⚠ Instrument flags: '), t.specimen_flags.map((f) => f.name).join(', ')) : null,
    h('table', {class: 'list history'},
      h('caption', {class: 'sr-only'}, 'Results, decisions and delivery'),
      h('thead', {}, h('tr', {}, ['Test', 'Result', 'Flag', 'Decisions (newest first)', 'To the LIS'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, t.results.map((r) => {
        const flag = abnormal(r.abnormal_flag);
        return h('tr', {class: flag ? flag.level : ''},
          h('th', {scope: 'row'}, r.code, r.loinc ? h('small', {}, ` ${r.loinc}`) : null),
          h('td', {}, `${r.value} ${r.units || ''}`, r.reference_range ? h('small', {}, ` (${r.reference_range})`) : null),
          h('td', {}, flag ? `${flag.arrow} ${flag.words}` : ''),
          h('td', {}, h('ol', {class: 'decisions'}, (r.decisions || []).map((d) => h('li', {class: d.is_current ? 'current' : 'past'},
            h('strong', {}, d.decision), ` by ${d.decided_by} at ${when(d.decided_at)}`, d.reason ? ` — ${d.reason}` : '',
            d.is_current ? [' ', h('span', {class: 'badge'}, 'current')] : null)))),
          h('td', {}, (r.delivery || []).length ? h('ul', {class: 'delivery'}, r.delivery.map((o) => h('li', {},
            `${o.destination}: ${o.status}`, o.sent_at ? ` at ${when(o.sent_at)}` : '', o.attempts ? ` (${o.attempts} attempt${o.attempts === 1 ? '' : 's'})` : '',
            o.last_error ? h('small', {class: 'error-text'}, ` ${o.last_error}`) : null))) : 'not sent'));
      }))),
    attachmentList(t.attachments, `${t.analyzer} ${when(t.received_at)}`));
}

function fact(name, value) {
  return h('div', {}, h('dt', {}, name), h('dd', {}, value));
}
