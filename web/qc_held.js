// The results a failed QC run held, cleared as one decision: for each group the QC gate holds
// (GET /api/v1/qc/held) "Review the N results held by the failed run of WBC on xn-1", the state
// of its gate now, and one panel to release, rerun or reject all of them or the ones checked, with
// one comment, after a confirmation naming every result it touches. Used by the QC page and the
// review queue (qcStateOf says a held result's gate now).
import {holdFocus, panelHoldingFocus} from './action_panel.js';
import {ApiError, get, may, post} from './api.js';
import {h, when} from './dom.js';
import {commentCodes} from './comment_codes.js';

const VERBS = {
  release: {label: 'Release', done: 'Released'},
  rerun: {label: 'Rerun', done: 'Sent to be run again:'},
  reject: {label: 'Reject', done: 'Rejected'},
};
const GATE_WORDS = {in: 'in control', out: 'out', unknown: 'unknown'};

// The groups as the API lists them, oldest failure first.
export async function heldGroups() {
  const {groups} = await get('/api/v1/qc/held');
  return groups;
}

// What the QC gate of a held result (its result_id, or an object with one) says now, from
// `groups`: {group, stillOut, words} ("QC accepted again at 10:55", "QC still out"), or null
// when no failed run holds it.
export function qcStateOf(result, groups) {
  const id = typeof result === 'object' && result !== null ? result.result_id : result;
  const group = (groups || []).find((g) => g.held.some((r) => r.result_id === id));
  return group ? {group, ...gateNow(group)} : null;
}

function gateNow(g) {
  if (g.still_out) return {stillOut: true, words: 'QC still out'};
  const outAgain = g.gate && g.gate.status === 'out';
  if (g.accepted_at) return {stillOut: outAgain, words: `QC accepted again at ${clock(g.accepted_at)}${outAgain ? ', out again now' : ''}`};
  if (outAgain) return {stillOut: true, words: 'QC out now'};
  return {stillOut: false, words: g.gate ? `QC ${GATE_WORDS[g.gate.status] || g.gate.status}` : 'QC not under control now'};
}

// 10:55 today, else 2026-12-06 10:55.
function clock(iso) {
  const t = new Date(iso);
  const full = when(iso);
  return t.toDateString() === new Date().toDateString() ? full.slice(11) : full;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const groupName = (g) => `the failed run of ${g.test} on ${g.analyzer}`;
const keyOf = (g) => `${g.analyzer}/${g.test}/${g.rejected_at}`;

// The held groups as a section: `show(groups)` draws them (waiting while a panel is open, so that
// a live update never takes it away); after a decision `onDecided()` is called to read them again,
// and what was done (and skipped) is said at the top of the section.
// With `folded`, each group's list of results is folded (the review queue, whose cards show them).
export function heldGroupsView({onDecided = () => {}, title = 'Held by failed QC runs', folded = false} = {}) {
  const status = h('p', {class: 'held-status', role: 'status', tabindex: '-1'});
  const list = h('div', {class: 'held-list'});
  const element = h('section', {class: 'held-groups', 'aria-labelledby': 'held-title'},
    h('h2', {id: 'held-title'}, title), status, list);
  let open = null;
  let waiting = null;

  function show(groups) {
    if (open) {
      waiting = groups;
      return;
    }
    list.replaceChildren(...(groups.length
      ? groups.map((g) => groupElement(g))
      : [h('p', {class: 'empty'}, 'No result is held by a failed QC run.')]));
  }

  function groupElement(g) {
    const n = g.held.length;
    const state = gateNow(g);
    const panel = h('div', {class: 'group-panel', hidden: true});
    const opener = (verdict, select) => h('button', {type: 'button', class: `act ${verdict || ''}`,
      onclick: (e) => openPanel(g, panel, e.currentTarget, verdict || 'release', select)},
    select ? 'Select…' : `${VERBS[verdict].label} all ${n}`);
    return h('article', {class: 'held-group', dataset: {key: keyOf(g)},
      'aria-labelledby': `group-${cssId(keyOf(g))}`},
    h('h3', {id: `group-${cssId(keyOf(g))}`}, `Review the ${plural(n, 'result')} held by ${groupName(g)}`),
    h('p', {class: `qc-state ${state.stillOut ? 'out' : 'accepted'}`}, state.words),
    h('p', {class: 'why'}, `Rejected at ${when(g.rejected_at)}: ${g.reason.replace(/^QC rejected at \S+: /, '')}`,
      g.decided ? ` · ${plural(g.decided, 'result')} of it decided already` : ''),
    fold(folded, `The ${plural(n, 'result')}`, h('table', {class: 'list held-results'},
      h('thead', {}, h('tr', {}, ['Specimen', 'Test', 'Patient', 'Result', 'Received'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, g.held.map((r) => h('tr', {},
        h('td', {}, h('a', {href: `#/specimens/${encodeURIComponent(r.specimen_id)}`}, r.specimen_id)),
        h('td', {}, r.test),
        h('td', {}, r.patient_id || '—'),
        h('td', {}, `${r.value} ${r.units || ''}`.trim()),
        h('td', {}, when(r.received_at))))))),
    // While QC is out, what the failed run held is rerun or rejected, not released (the API refuses).
    may('technologist') ? h('div', {class: 'card-actions group-actions'},
      state.stillOut ? null : opener('release'), opener('rerun'), opener(null, true)) : null,
    panel);
  }

  // The panel: the decision, which results (all, or those checked), one comment; then the
  // confirmation naming every result. Tab and Shift-Tab stay inside it, Esc closes it.
  function openPanel(g, panel, from, verdict, select) {
    if (open) open.close(false);
    const holding = panelHoldingFocus();
    if (holding) {  // another action (a card's in the queue) is open: it is finished or cancelled first
      holding.querySelector('input, button')?.focus();
      return;
    }
    const id = cssId(keyOf(g));
    let release = () => {};
    // A panel whose decision is being sent stays until the answer is in (`force`: the page leaves).
    const close = (returnFocus = true, force = false) => {
      if (mine.busy && !force) {
        panel.querySelector('.error').textContent = 'Being sent: wait for the answer.';
        return;
      }
      release();
      panel.hidden = true;
      panel.replaceChildren();
      open = null;
      if (returnFocus && from.isConnected) from.focus();
      if (waiting) {
        const groups = waiting;
        waiting = null;
        show(groups);
      }
    };
    const mine = {close, busy: false};
    open = mine;
    const stillOut = gateNow(g).stillOut;
    const verdicts = h('fieldset', {class: 'verdicts'}, h('legend', {}, 'Decision'),
      Object.entries(VERBS).filter(([v]) => v !== 'release' || !stillOut).map(([v, words]) => h('label', {},
        h('input', {type: 'radio', name: `verdict-${id}`, value: v, checked: v === (stillOut && verdict === 'release' ? 'rerun' : verdict)}), ` ${words.label}`)),
      stillOut ? h('p', {class: 'muted'}, 'QC is out: release waits for an accepted run.') : null);
    const boxes = select ? g.held.map((r) => h('input', {type: 'checkbox', value: String(r.result_id), id: `pick-${id}-${r.result_id}`})) : [];
    const comment = h('input', {type: 'text', id: `group-comment-${id}`, 'aria-required': 'true', maxlength: 2000, autocomplete: 'off'});
    const message = h('p', {class: 'error', role: 'alert'});
    const chosen = () => (select ? g.held.filter((_, i) => boxes[i].checked) : g.held);
    const form = h('form', {onsubmit: (e) => {
      e.preventDefault();
      const results = chosen();
      if (!results.length) message.textContent = 'Check at least one result.';
      else if (!comment.value.trim()) message.textContent = 'A comment is required.';
      else confirmStep(g, panel, close, form, verdicts.querySelector('input:checked').value, results, comment.value.trim());
    }},
    h('h4', {}, select ? `Decide the results you check, held by ${groupName(g)}` : `All ${plural(g.held.length, 'result')} held by ${groupName(g)}`),
    verdicts,
    select ? h('fieldset', {class: 'picks'}, h('legend', {}, 'Results'),
      g.held.map((r, i) => h('label', {for: boxes[i].id}, boxes[i], ` ${r.specimen_id} ${r.test} ${r.value} ${r.units || ''}`))) : null,
    h('label', {for: comment.id}, 'Comment (required)'), comment,
    h('button', {type: 'submit', class: 'act'}, 'Continue'),
    h('button', {type: 'button', onclick: () => close()}, 'Cancel', h('kbd', {}, 'Esc')),
    message);
    comment.addEventListener('input', () => { message.textContent = ''; });
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', `Decide the results held by ${groupName(g)}`);
    panel.replaceChildren(h('div', {class: 'confirm'}, form));
    commentCodes(comment);
    panel.hidden = false;
    release = holdFocus(panel, () => close());
    (select ? boxes[0] : comment).focus();
  }

  function confirmStep(g, panel, close, form, verdict, results, comment) {
    const confirm = h('button', {type: 'button', class: `act ${verdict}`,
      onclick: () => decide(g, verdict, results, comment, confirm, message, close)},
    `Confirm: ${VERBS[verdict].label.toLowerCase()} ${plural(results.length, 'result')}`);
    const message = h('p', {class: 'error', role: 'alert'});
    const back = h('button', {type: 'button', onclick: () => {
      panel.firstChild.replaceChildren(form);
      form.querySelector(`#group-comment-${cssId(keyOf(g))}`).focus();
    }}, 'Back');
    panel.firstChild.replaceChildren(h('div', {class: 'confirmation'},
      h('p', {class: 'what'}, h('strong', {}, `${VERBS[verdict].label} ${plural(results.length, 'result')}`),
        ` held by ${groupName(g)}, with the comment “${comment}”:`),
      h('ul', {class: 'touched'}, results.map((r) => h('li', {}, `${r.specimen_id} ${r.test}`))),
      confirm, back, h('button', {type: 'button', onclick: () => close()}, 'Cancel', h('kbd', {}, 'Esc')), message));
    confirm.focus();
  }

  async function decide(g, verdict, results, comment, button, message, close) {
    button.disabled = true;
    const mine = open;
    if (mine) mine.busy = true;
    try {
      const answer = await post(`/api/v1/qc/held/${[g.analyzer, g.test, g.rejected_at].map(encodeURIComponent).join('/')}`,
        {verdict, comment, result_ids: results.map((r) => r.result_id)});
      const named = (id) => results.find((r) => r.result_id === id);
      status.textContent = `${VERBS[verdict].done} ${answer.decided.map((d) => `${named(d.result_id).specimen_id} ${named(d.result_id).test}`).join(', ') || 'nothing'}` +
        (answer.skipped.length ? `. Skipped, decided meanwhile: ${answer.skipped.map((s) =>
          `${s.specimen_id} ${s.test} (${s.decision} by ${String(s.decided_by).replace(/^user:/, '')})`).join(', ')}` : '') + '.';
      if (mine) mine.busy = false;
      close(false);
      status.focus();
      onDecided();
    } catch (e) {
      if (mine) mine.busy = false;
      button.disabled = false;
      message.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  return {element, show, isOpen: () => open !== null,
    // The page leaves: an open panel goes, even mid-send (the answer still lands in the database).
    closeOpen: () => open && open.close(false, true)};
}

// `content`, or folded behind a summary saying `what`.
function fold(folded, what, content) {
  return folded ? h('details', {class: 'held-fold'}, h('summary', {}, what), content) : content;
}

const cssId = (text) => text.replace(/[^A-Za-z0-9_-]/g, '_');
