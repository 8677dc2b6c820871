// Rules -> Validation: the stored rule set versions with their status; a candidate checked as it
// is typed and stored as a draft; a backtest of a version over a period and analyzers, its
// progress, its report (charts, false negatives linking to each specimen, disagreements); and an
// admin's promotion with its backtest and comment.
import {get, may, post, query} from './api.js';
import {commentCodes} from './comment_codes.js';
import {clear, h, when} from './dom.js';
import {s, scale} from './svg.js';

const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x, digits = 2) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits));
const field = (label, input) => h('div', {class: 'field'}, h('label', {for: input.id}, label), input);
const specimenLink = (id) => h('a', {href: `#/specimens/${encodeURIComponent(id)}`}, id);

export function validationPage(root, app) {
  const versions = h('div', {class: 'versions', 'aria-live': 'polite'});
  const candidate = candidateForm(app, () => showVersions());
  const backtest = h('select', {id: 'backtest-candidate', required: true});
  const from = h('input', {id: 'backtest-from', type: 'date'});
  const to = h('input', {id: 'backtest-to', type: 'date'});
  const analyzers = h('fieldset', {class: 'analyzers'}, h('legend', {}, 'Analyzers (none ticked: all)'));
  const progress = h('progress', {id: 'backtest-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Backtest progress'});
  const state = h('p', {id: 'backtest-state', role: 'status'});
  const report = h('div', {class: 'backtest-report'});
  const earlier = h('div', {class: 'backtests'});
  const run = h('form', {class: 'backtest', id: 'backtest-form'},
    field('Candidate version', backtest), field('From (UTC day)', from), field('To (UTC day, not included)', to),
    analyzers, h('button', {type: 'submit', id: 'backtest-run'}, 'Run the backtest'), progress, state);
  const shadow = h('div', {class: 'shadow', id: 'shadow', 'aria-live': 'polite'});
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Rules · Validation')), subNav('validation'),
    h('section', {'aria-labelledby': 'versions-title'}, h('h2', {id: 'versions-title'}, 'Rule set versions'), versions),
    h('section', {'aria-labelledby': 'shadow-title'}, h('h2', {id: 'shadow-title'}, 'In shadow, beside the live set'), shadow),
    h('section', {'aria-labelledby': 'candidate-title'}, h('h2', {id: 'candidate-title'}, 'A candidate'), candidate),
    h('section', {'aria-labelledby': 'backtest-title'}, h('h2', {id: 'backtest-title'}, 'Backtest on the archive'), run, earlier),
    h('section', {'aria-labelledby': 'report-title'}, h('h2', {id: 'report-title'}, 'Report'), report));

  let polling = null;
  let list = [];
  // The version in shadow, compared so far; read again every 5 s while the page is open, so its
  // disagreements show as they happen.
  async function showShadow() {
    try {
      const c = await get(`/api/v1/rules/shadow${query({limit: 20})}`);
      clear(shadow, shadowView(c, list, app, () => { showVersions(); showShadow(); }));
    } catch (e) {
      app.error(`The shadow's decisions could not be read: ${e.message}`);
    }
  }
  const shadowPolling = setInterval(showShadow, 5000);
  async function showVersions() {
    try {
      list = (await get('/api/v1/rules/versions')).versions;
      clear(versions, versionTable(list));
      const chosen = backtest.value;
      clear(backtest, list.map((v) => h('option', {value: v.id}, `${v.id} · ${v.version} (${v.status})`)));
      if (chosen) backtest.value = chosen;
    } catch (e) {
      app.error(`The versions could not be read: ${e.message}`);
    }
  }
  async function showEarlier() {
    try {
      const rows = (await get(`/api/v1/rules/backtests${query({limit: 10})}`)).backtests;
      clear(earlier, rows.length === 0 ? h('p', {class: 'empty'}, 'No backtest yet.') : backtestTable(rows, show));
    } catch (e) {
      app.error(`The backtests could not be read: ${e.message}`);
    }
  }
  async function show(id) {
    const b = await get(`/api/v1/rules/backtests/${id}`);
    progress.hidden = b.status !== 'running';
    progress.max = Math.max(1, b.specimens_total || 1);
    progress.value = b.specimens_done || 0;
    state.textContent = b.status === 'running'
      ? ((b.specimens_total ?? -1) < 0 ? `Backtest ${b.id}: counting the specimens…`
        : `Backtest ${b.id}: ${b.specimens_done} of ${b.specimens_total} specimens replayed`)
      : b.status === 'done' ? `Backtest ${b.id} done.` : `Backtest ${b.id} failed: ${b.error}`;
    state.dataset.status = b.status;
    if (b.status === 'done') clear(report, reportView(b, list, app, showVersions));
    return b.status;
  }
  run.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {candidate: Number(backtest.value),
      analyzers: [...analyzers.querySelectorAll('input:checked')].map((c) => c.value)};
    if (from.value) body.from = from.value;
    if (to.value) body.to = to.value;
    try {
      const {id} = await post('/api/v1/rules/backtests', body);
      clear(report);
      clearInterval(polling);
      const tick = async () => {
        try {
          if ((await show(id)) !== 'running') {
            clearInterval(polling);
            showEarlier();
          }
        } catch (err) {
          clearInterval(polling);
          app.error(`The backtest could not be read: ${err.message}`);
        }
      };
      polling = setInterval(tick, 1000);
      tick();
    } catch (err) {
      state.textContent = `The backtest was not started: ${err.message}`;
      state.dataset.status = 'refused';
    }
  });

  get('/api/v1/analyzers').then((data) => {
    for (const a of data.analyzers) {
      const id = `backtest-analyzer-${a.name}`;
      analyzers.append(h('label', {for: id, class: 'check'}, h('input', {type: 'checkbox', id, value: a.name}), ` ${a.name}`));
    }
  }).catch((e) => app.error(e.message));
  showVersions().then(showShadow);
  showEarlier();
  return {onLeave: () => { clearInterval(polling); clearInterval(shadowPolling); }};
}

// The shadow's agreement so far and its latest disagreements; an admin puts a draft in shadow or
// takes the one there out (each confirmed).
function shadowView(c, versions, app, refresh) {
  const inShadow = versions.find((v) => v.status === 'shadow');
  const drafts = versions.filter((v) => v.status === 'draft');
  const move = async (v, status, question) => {
    if (!window.confirm(question)) return;
    try {
      await post(`/api/v1/rules/versions/${v.id}/status`, {status});
      app.error('');
      refresh();
    } catch (err) {
      app.error(`The version was not moved: ${err.message}`);
    }
  };
  const control = !may('admin') ? null : inShadow
    ? h('button', {type: 'button', id: 'shadow-stop', onclick: () => move(inShadow, 'draft', `Stop deciding ${inShadow.version} in shadow? Its decisions so far are kept.`)}, `Stop the shadow of ${inShadow.id}…`)
    : drafts.length === 0 ? null : (() => {
      const pick = h('select', {id: 'shadow-version'}, drafts.map((v) => h('option', {value: v.id}, `${v.id} · ${v.version}`)));
      return h('form', {class: 'shadow-start', onsubmit: (e) => {
        e.preventDefault();
        const v = drafts.find((d) => String(d.id) === pick.value);
        move(v, 'shadow', `Decide ${v.version} in shadow beside the live set? It never acts: its decisions are only kept and compared.`);
      }}, field('Draft to run in shadow', pick), h('button', {type: 'submit', id: 'shadow-start'}, 'Run in shadow…'));
    })();
  if (!c.version) return [h('p', {class: 'empty'}, 'No version is in shadow.'), control];
  const live = c.agreement.live;
  const people = c.agreement.people;
  const facts = [
    ['version', 'Version', c.version], ['since', 'Since', c.since ? when(c.since) : 'no result decided yet'],
    ['results', 'Results decided', `${c.results} on ${c.specimens} specimens`],
    ['agreement_live', 'Agreement with the live set', `${pct(live.share)} (kappa ${num(live.kappa, 3)})`],
    ['agreement_people', 'Agreement with people', `${pct(people.share)} (kappa ${num(people.kappa, 3)}) on ${people.results} results`],
    ['false_negatives', 'Would-be false negatives', String(c.false_negatives)],
  ];
  return [
    h('dl', {class: 'facts', id: 'shadow-facts'}, facts.map(([key, label, value]) => [
      h('dt', {}, label), h('dd', {dataset: {field: key}}, value)])),
    h('h3', {}, `Latest disagreements with the live set (${c.disagreements.length})`),
    c.disagreements.length === 0 ? h('p', {class: 'empty'}, 'None so far.')
      : h('table', {class: 'list', id: 'shadow-disagreements'},
        h('thead', {}, h('tr', {}, ['Specimen', 'Test', 'Value', 'Live', 'Shadow', 'Now', 'Decided'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, c.disagreements.map((d) => h('tr', {},
          h('th', {scope: 'row'}, specimenLink(d.specimen_id)), h('td', {}, d.code), h('td', {}, d.value),
          h('td', {}, d.live), h('td', {}, d.shadow), h('td', {}, d.now || ''), h('td', {}, when(d.decided_at)))))),
    control,
  ];
}

export function subNav(page) {
  const link = (name, href, label) => h('a', {href, 'aria-current': page === name ? 'page' : null}, label);
  return h('nav', {class: 'subnav', 'aria-label': 'Rules pages'},
    link('test', '#/rules', 'Test cases'), link('validation', '#/rules/validation', 'Validation'));
}

function versionTable(list) {
  if (list.length === 0) return h('p', {class: 'empty'}, 'No version stored.');
  return h('table', {class: 'list', id: 'versions'},
    h('thead', {}, h('tr', {}, ['ID', 'Version', 'Status', 'Author', 'Created', 'Status since', 'Went live with', 'Reason'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, list.map((v) => h('tr', {dataset: {version: v.id}},
      h('td', {}, String(v.id)), h('th', {scope: 'row'}, v.version),
      h('td', {}, h('span', {class: `badge status-${v.status}`}, v.status)),
      h('td', {}, v.author), h('td', {}, when(v.created_at)), h('td', {}, when(v.status_changed_at)),
      h('td', {}, v.backtest_id ? `backtest ${v.backtest_id}` : ''),
      h('td', {}, [v.reason, v.promotion_comment ? ` — ${v.promotion_comment}` : ''])))));
}

function backtestTable(rows, show) {
  return h('table', {class: 'list', id: 'backtests'},
    h('thead', {}, h('tr', {}, ['Backtest', 'Candidate', 'By', 'Status', 'Specimens', 'False negatives', 'Started', ''].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((b) => h('tr', {},
      h('th', {scope: 'row'}, String(b.id)), h('td', {}, b.candidate_version), h('td', {}, b.requested_by),
      h('td', {}, b.status), h('td', {}, `${b.specimens_done} / ${b.specimens_total}`),
      h('td', {}, b.false_negatives === null || b.false_negatives === undefined ? '' : String(b.false_negatives)),
      h('td', {}, when(b.started_at)),
      h('td', {}, b.status === 'done' ? h('button', {type: 'button', class: 'link', onclick: () => show(b.id)}, `Show report ${b.id}`) : '')))));
}

// The candidate: a file read or text typed, checked (debounced) by POST /rules/check as it changes.
function candidateForm(app, stored) {
  const file = h('input', {type: 'file', id: 'candidate-file', accept: '.json,application/json'});
  const name = h('input', {id: 'candidate-name', value: 'candidate.json', autocomplete: 'off', required: true});
  const text = h('textarea', {id: 'candidate-text', rows: 14, spellcheck: 'false', required: true,
    'aria-describedby': 'candidate-check', placeholder: '{"version": "...", "rules": [...]}'});
  const check = h('div', {id: 'candidate-check', class: 'rule-check', 'aria-live': 'polite'});
  const reason = h('input', {id: 'candidate-reason', autocomplete: 'off', required: true});
  const saved = h('p', {class: 'notice', role: 'status'});
  const form = h('form', {class: 'candidate', id: 'candidate-form'},
    field('Rules file', file), field('File name', name), field('Or edit the rules', text), check,
    field('Why this change', reason), h('button', {type: 'submit'}, 'Store as a draft version'), saved);
  commentCodes(reason);
  let timer = null;
  let asked = 0;
  const checkNow = async () => {
    const mine = ++asked;
    if (!text.value.trim()) return clear(check);
    try {
      const r = await post('/api/v1/rules/check', {files: [{name: name.value, text: text.value}]});
      if (mine === asked) clear(check, h('p', {class: 'check-ok'}, `✓ ${r.rules} rules, version ${r.version}`));
    } catch (e) {
      if (mine !== asked) return;
      clear(check, h('ul', {class: 'check-errors', role: 'alert'}, (e.errors || [{message: e.message}]).map((x) =>
        h('li', {}, h('code', {}, [x.file, x.line, x.column].filter((p) => p !== null && p !== undefined).join(':')),
          x.where ? ` ${x.where}: ` : ' ', x.message))));
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(checkNow, 300);
  };
  text.addEventListener('input', later);
  name.addEventListener('input', later);
  file.addEventListener('change', async () => {
    if (!file.files[0]) return;
    text.value = await file.files[0].text();
    name.value = file.files[0].name;
    checkNow();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const v = await post('/api/v1/rules/versions', {files: [{name: name.value, text: text.value}], reason: reason.value});
      saved.textContent = `Stored as version ${v.id} (${v.version}), ${v.status}.`;
      app.error('');
      stored();
    } catch (err) {
      saved.textContent = '';
      app.error(`The candidate was not stored: ${err.message}`);
    }
  });
  return form;
}

// Horizontal bars: one row per [label, value] with its text, value 0..max.
function bars(title, rows, max, text) {
  const width = 640;
  const left = 190;
  const right = width - 80;
  const x = scale(0, max, left, right);
  const row = 20;
  return s('svg', {class: 'chart bars', viewBox: `0 0 ${width} ${rows.length * row + 12}`, role: 'img', 'aria-label': title},
    rows.map(([label, value], i) => s('g', {class: 'bar'},
      s('text', {x: left - 8, y: i * row + 20, 'text-anchor': 'end'}, label.length > 24 ? `${label.slice(0, 23)}…` : label),
      s('rect', {x: left, y: i * row + 8, width: Math.max(1, x(Math.max(0, value)) - left), height: row - 6}),
      s('text', {class: 'value', x: x(Math.max(0, value)) + 6, y: i * row + 20}, text(value)))));
}

function figure(title, chart) {
  return h('figure', {class: 'report-chart'}, h('figcaption', {}, title), chart);
}

function reportView(b, versions, app, refreshVersions) {
  const r = b.report;
  const fn = r.false_negatives;
  const facts = [
    ['specimens', 'Specimens', r.specimens], ['results', 'Results', r.results],
    ['av_rate', 'Released at once', pct(r.av_rate)],
    ['false_negatives', 'False negatives', `${fn.results} results, ${fn.specimens} specimens (${num(fn.per_mille)} ‰)`],
    ['needless_holds', 'Needless holds', r.needless_holds.results],
    ['kappa_live', 'Kappa with the live set', num(r.agreement.live.kappa, 3)],
    ['kappa_people', 'Kappa with people', num(r.agreement.people.kappa, 3)],
    ['minutes_saved', 'Minutes saved', num(r.tat.minutes_saved, 0)],
  ];
  const byTest = Object.entries(r.by_test).map(([code, c]) => [code, c.av_rate ?? 0]);
  const held = Object.entries(r.by_rule).filter(([, t]) => t.held > 0).sort((a, b2) => b2[1].held - a[1].held)
    .map(([id, t]) => [id, t.held]);
  const kappas = [['with the live set', r.agreement.live.kappa ?? 0], ['with people', r.agreement.people.kappa ?? 0]];
  return [
    h('p', {class: 'summary'}, `Backtest ${b.id} of ${r.candidate_version}, by ${b.requested_by}, ${when(b.started_at)}; replayed in ${num(r.seconds, 1)} s.`),
    h('dl', {class: 'facts report-facts', id: 'report-facts'}, facts.map(([key, label, value]) => [
      h('dt', {}, label), h('dd', {dataset: {field: key}}, String(value))])),
    h('div', {class: 'report-charts'},
      figure('Released at once, by test', bars('Autoverification rate by test', byTest, 1, pct)),
      figure('Held, by rule', held.length ? bars('Results held by each rule', held, Math.max(...held.map((x) => x[1])), String)
        : h('p', {class: 'empty'}, 'No rule held a result.')),
      figure('Agreement (Cohen\'s kappa)', bars('Kappa with the live set and with people', kappas, 1, (v) => num(v, 3))),
      figure('Minutes saved', h('p', {class: 'big-number', id: 'minutes-saved'}, num(r.tat.minutes_saved, 0),
        h('span', {class: 'help'}, ` minutes of holding saved on ${r.tat.results} results (median ${num(r.tat.held_minutes_median, 0)} min, p90 ${num(r.tat.held_minutes_p90, 0)} min)`)))),
    h('h3', {}, `False negatives (${fn.results})`),
    fn.listed.length === 0 ? h('p', {class: 'empty'}, 'None: every result the candidate releases was released unchanged by people.')
      : h('table', {class: 'list', id: 'false-negatives'},
        h('thead', {}, h('tr', {}, ['Specimen', 'Analyzer', 'Received', 'Test', 'Value', 'People', 'By', 'Comment', 'Live set fired'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, fn.listed.map((f) => h('tr', {},
          h('th', {scope: 'row'}, specimenLink(f.specimen_id)), h('td', {}, f.analyzer), h('td', {}, when(f.received_at)),
          h('td', {}, f.code), h('td', {}, f.value), h('td', {}, f.outcome), h('td', {}, f.acted_by), h('td', {}, f.comment),
          h('td', {}, f.live_fired.join(', ')))))),
    h('h3', {}, `Disagreements with the live set (${r.disagreements.listed.length}${r.disagreements.truncated ? '+' : ''})`),
    r.disagreements.listed.length === 0 ? h('p', {class: 'empty'}, 'None.')
      : h('table', {class: 'list', id: 'disagreements'},
        h('thead', {}, h('tr', {}, ['Specimen', 'Test', 'Value', 'Live', 'Candidate', 'Live fired', 'Candidate fired', 'Outcome'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, r.disagreements.listed.map((d) => h('tr', {},
          h('th', {scope: 'row'}, specimenLink(d.specimen_id)), h('td', {}, d.code), h('td', {}, d.value),
          h('td', {}, d.live), h('td', {}, d.candidate), h('td', {}, d.live_fired.join(', ')),
          h('td', {}, d.candidate_fired.join(', ')), h('td', {}, d.outcome))))),
    may('admin') ? promoteForm(b, versions, app, refreshVersions) : null,
  ];
}

// Promotion (admins): the backtest's version to live, a comment always, confirmed first.
function promoteForm(b, versions, app, refreshVersions) {
  const version = versions.find((v) => v.version === b.candidate_version);
  if (!version) return null;
  const comment = h('textarea', {id: 'promote-comment', rows: 3, required: true});
  const answer = h('p', {id: 'promote-answer', role: 'alert'});
  const form = h('form', {class: 'promote', id: 'promote-form'},
    h('h3', {}, `Promote version ${version.id} to live`),
    h('p', {class: 'help'}, `With backtest ${b.id} as its evidence (${b.report.false_negatives.results} false negatives).`),
    field('Comment (required: why the evidence suffices)', comment),
    h('button', {type: 'submit', id: 'promote'}, `Promote ${version.version} to live…`), answer);
  commentCodes(comment);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!comment.value.trim()) return;
    if (!window.confirm(`Make ${version.version} the live rule set now? Every new result is decided by it at once.`)) return;
    try {
      const v = await post(`/api/v1/rules/versions/${version.id}/status`, {status: 'live', backtest_id: b.id, comment: comment.value.trim()});
      answer.className = 'notice';
      answer.textContent = `${v.version} is live (in force: ${v.in_force || v.version}).`;
      app.error('');
      refreshVersions();
    } catch (err) {
      answer.className = 'error';
      answer.textContent = `The promotion was refused: ${err.message}`;
    }
  });
  return form;
}
