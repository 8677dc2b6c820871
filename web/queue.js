// The review queue: held specimens, STAT first then oldest first, one card each; actions per result and per
// specimen with a required comment, confirmed once; every step from the keyboard; new held
// specimens come in live without disturbing the card being read.
import {ApiError, get, may, post} from './api.js';
import {attachmentList} from './attachments.js';
import {abnormal, age, ago, clear, delta, h, sexWord, when} from './dom.js';
import {overdueOrders} from './overdue_orders.js';

const FIRST_SCREEN = 12;  // cards rendered at once; the rest follow frame by frame
const BATCH = 60;
const VERBS = {
  release: {label: 'Release', key: 'r', done: 'released'},
  rerun: {label: 'Rerun', key: 'e', done: 'sent for rerun'},
  reject: {label: 'Reject', key: 'x', done: 'rejected'},
};

export function queuePage(root, app) {
  const state = {
    specimens: [],           // as the API returned them, in queue order
    cards: new Map(),        // specimen_row_id -> card element
    focus: null,             // the focused result row
    refreshing: null,
    again: false,
    rendering: 0,
  };
  const list = h('div', {class: 'queue'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No result is waiting for review.');
  const help = keyHelp();
  const overdue = overdueOrders(app);
  clear(root,
    h('div', {class: 'page-head'},
      h('h1', {}, 'Review queue'),
      h('p', {class: 'summary', id: 'queue-summary', 'aria-live': 'polite'}),
      h('button', {type: 'button', class: 'link', onclick: () => help.toggleAttribute('hidden')}, 'Keys (?)')),
    help, overdue.element, empty, list);

  async function load(first) {
    if (state.refreshing) {
      state.again = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      try {
        const data = await get('/api/v1/review?limit=5000');
        if (first) renderAll(data.specimens);
        else merge(data.specimens);
        app.error('');
      } catch (e) {
        app.error(`The queue could not be read: ${e.message}`);
      } finally {
        state.refreshing = null;
        if (state.again) {
          state.again = false;
          load(false);
        }
      }
    })();
    return state.refreshing;
  }

  function renderAll(specimens) {
    state.specimens = specimens;
    const started = performance.now();
    const firstCards = specimens.slice(0, FIRST_SCREEN).map(card);
    list.replaceChildren(...firstCards);
    summarize();
    const first = list.querySelector('tr.result');
    if (first) setFocus(first, false);
    requestAnimationFrame(() => {
      performance.mark('hemalink-queue-first-screen');
      root.dataset.firstScreenMs = String(Math.round(performance.now() - started));
    });
    renderRest(++state.rendering);
  }

  // The cards beyond the first screen, a batch per frame, so the first screen never waits. The
  // ones still to build are always the queue's tail: a specimen that arrives meanwhile gets its
  // card at once, in its place (merge).
  function renderRest(generation) {
    if (generation !== state.rendering) return;
    const waiting = state.specimens.filter((s) => !state.cards.has(s.specimen_row_id));
    if (waiting.length === 0) {
      root.dataset.rendered = 'all';
      return;
    }
    requestAnimationFrame(() => {
      if (generation !== state.rendering) return;
      const fragment = document.createDocumentFragment();
      for (const s of waiting.slice(0, BATCH)) {
        if (!state.cards.has(s.specimen_row_id)) fragment.append(card(s));
      }
      list.append(fragment);
      renderRest(generation);
    });
  }

  // A fresh queue against the cards shown: new specimens slot in at their place, those acted on
  // elsewhere leave; the card being read stays put, and so does the focus.
  function merge(specimens) {
    const fresh = new Map(specimens.map((s) => [s.specimen_row_id, s]));
    const known = new Set(state.specimens.map((s) => s.specimen_row_id));
    for (const [id, element] of state.cards) {
      const s = fresh.get(id);
      if (!s) {
        const beingActedOn = element.contains(document.activeElement) && element.querySelector('.confirm:not([hidden])');
        if (!beingActedOn) removeCard(element);
        continue;
      }
      const held = new Set(s.results.map((r) => r.result_id));
      for (const row of element.querySelectorAll('tr.result')) {
        if (!held.has(Number(row.dataset.resultId))) {
          app.announce(`${row.dataset.code} of ${s.specimen_id} was decided elsewhere`);
          removeRow(row);
        }
      }
    }
    let previous = null;
    for (const s of specimens) {
      let element = state.cards.get(s.specimen_row_id);
      if (!element && !known.has(s.specimen_row_id)) {
        element = card(s);
        element.classList.add('new');
        if (previous) previous.after(element);
        else list.prepend(element);
        app.announce(`New held specimen ${s.specimen_id}`);
      }
      if (element) previous = element;
    }
    state.specimens = specimens;
    summarize();
    if (!state.focus || !state.focus.isConnected) {
      const first = list.querySelector('tr.result');
      if (first) setFocus(first, false);
    }
  }

  function summarize() {
    const count = state.specimens.length;
    const results = state.specimens.reduce((sum, s) => sum + s.results.length, 0);
    document.getElementById('queue-summary').textContent = count
      ? `${count} specimen${count === 1 ? '' : 's'} held, ${results} result${results === 1 ? '' : 's'}, STAT first, then oldest first.`
      : '';
    empty.hidden = count > 0;
    app.queueCount(count);
  }

  function card(s) {
    const title = `specimen-${s.specimen_row_id}`;
    const rows = s.results.map((r) => resultRow(s, r));
    const flags = instrumentFlags(s);
    const element = h('article', {class: 'card', 'aria-labelledby': title, dataset: {specimenRowId: s.specimen_row_id}},
      h('header', {class: 'card-head'},
        h('h2', {id: title}, h('span', {class: 'label'}, 'Specimen '), s.specimen_id || '(no ID)'),
        s.priority === 'stat' || s.priority === 'asap'
          ? h('strong', {class: `badge ${s.priority}`}, s.priority.toUpperCase()) : null,
        h('dl', {class: 'facts'},
          fact('Patient', s.patient_id || 'not sent'),
          fact('Age', age(s.patient_birth_date, s.received_at) || 'not sent'),
          fact('Sex', sexWord(s.patient_sex)),
          fact('Analyzer', s.analyzer),
          fact('Received', h('time', {datetime: s.received_at, title: ago(s.received_at)}, when(s.received_at))),
          s.kind && s.kind !== 'patient' ? fact('Kind', s.kind) : null),
        h('a', {class: 'open', href: `#/specimens/${encodeURIComponent(s.specimen_id)}`}, 'History')),
      flags,
      h('table', {class: 'results'},
        h('caption', {class: 'sr-only'}, `Results of specimen ${s.specimen_id} held for review`),
        h('thead', {}, h('tr', {},
          ['Test', 'Result', 'Units', 'Reference', 'Flag', 'Previous', 'Delta', 'Why held', may('technologist') ? 'Act' : null]
            .filter(Boolean).map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, rows)),
      h('div', {class: 'confirm', hidden: true}),
      comments(s),
      attachmentList(s.attachments, s.specimen_id),
      may('technologist') && s.results.length > 1 ? h('div', {class: 'card-actions'},
        h('span', {}, 'Whole specimen:'),
        Object.entries(VERBS).map(([verb, v]) => h('button', {type: 'button', class: `act ${verb}`,
          onclick: () => openConfirm(element, verb, heldRows(element))}, `${v.label} all`, h('kbd', {}, `⇧${v.key.toUpperCase()}`)))) : null);
    state.cards.set(s.specimen_row_id, element);
    return element;
  }

  function resultRow(s, r) {
    const flag = abnormal(r.abnormal_flag);
    const previous = (r.previous || [])[0];
    const critical = (r.rules_fired || []).some((f) => /critical/i.test(`${f.rule_id} ${f.reason}`)) ||
      (flag && flag.level === 'critical');
    const row = h('tr', {class: `result${flag ? ` ${flag.level}` : ''}${critical ? ' critical' : ''}`, tabindex: -1,
      dataset: {resultId: r.result_id, code: r.code}, onclick: (e) => {
        if (!e.target.closest('button')) setFocus(row, true);
      }},
      h('th', {scope: 'row'}, r.code),
      h('td', {class: 'value'}, critical ? h('strong', {class: 'badge critical'}, 'CRITICAL') : null, ' ', r.value),
      h('td', {}, r.units),
      h('td', {}, r.reference_range),
      h('td', {class: 'flag'}, flag ? h('span', {title: flag.words}, h('span', {'aria-hidden': 'true'}, flag.arrow), ' ', flag.words) : 'normal',
        (r.flags || []).length ? h('span', {class: 'result-flags'}, ` ${r.flags.join(' ')}`) : null),
      h('td', {}, previous ? [previous.value, h('br'), h('small', {}, when(previous.received_at))] : h('small', {}, 'none')),
      h('td', {}, previous ? delta(r.value, previous.value) : ''),
      h('td', {class: 'why'}, whyHeld(r)),
      may('technologist') ? h('td', {class: 'row-actions'}, Object.entries(VERBS).map(([verb, v]) =>
        h('button', {type: 'button', class: `act ${verb}`, 'aria-label': `${v.label} ${r.code}`,
          onclick: () => openConfirm(row.closest('article'), verb, [row])}, v.label))) : null);
    row.result = r;
    return row;
  }

  function whyHeld(r) {
    const fired = (r.rules_fired || []).filter((f) => f.action !== 'release');
    if (fired.length === 0) return r.reason || 'held';
    return h('ul', {class: 'fired'}, fired.map((f) =>
      h('li', {}, h('span', {class: `action ${f.action}`}, f.action), ' ', f.reason || '', ' ', h('small', {class: 'rule'}, f.rule_id))));
  }

  // Positive IP messages stand out; suspect messages the analyzer did not call positive follow.
  function instrumentFlags(s) {
    const flags = s.specimen_flags || [];
    const positive = flags.filter((f) => f.positive !== false);
    const other = flags.filter((f) => f.positive === false);
    if (flags.length === 0) return null;
    const named = (list) => list.map((f, i) => h('span', {class: 'ip'}, i ? ', ' : '', f.name,
      f.score !== null && f.score !== undefined ? ` (Q ${f.score})` : ''));
    return h('div', {class: `instrument-flags${positive.length ? '' : ' quiet'}`, role: 'note'},
      positive.length ? [h('strong', {}, h('span', {'aria-hidden': 'true'}, '⚠ '), 'Instrument flags: '), named(positive)] : null,
      other.length ? h('span', {class: 'suspect'}, positive.length ? ' · also reported, not positive: ' : 'Reported, not positive: ', named(other)) : null);
  }

  function comments(s) {
    const all = [...(s.comments || []), ...s.results.flatMap((r) => (r.comments || []).map((c) => `${r.code}: ${c}`))];
    if (all.length === 0) return null;
    return h('div', {class: 'comments'}, h('strong', {}, 'Comments: '), all.join(' · '));
  }

  function fact(name, value) {
    return h('div', {}, h('dt', {}, name), h('dd', {}, value));
  }

  function heldRows(element) {
    return [...element.querySelectorAll('tr.result')];
  }

  // The confirmation: what will happen to which results, a comment (required), for a single
  // release the corrected value (optional); Enter confirms once, Escape cancels.
  function openConfirm(element, verb, rows) {
    if (!may('technologist') || rows.length === 0) return;
    const panel = element.querySelector('.confirm');
    const codes = rows.map((r) => r.dataset.code).join(', ');
    const comment = h('input', {type: 'text', id: `comment-${element.dataset.specimenRowId}`, 'aria-required': 'true', maxlength: 2000, autocomplete: 'off'});
    const corrected = verb === 'release' && rows.length === 1
      ? h('input', {type: 'text', id: `corrected-${element.dataset.specimenRowId}`, autocomplete: 'off', inputmode: 'decimal'}) : null;
    const message = h('p', {class: 'error', role: 'alert'});
    const confirm = h('button', {type: 'submit', class: `act ${verb}`}, `Confirm ${VERBS[verb].label.toLowerCase()}`);
    const form = h('form', {class: verb, onsubmit: (e) => {
      e.preventDefault();
      apply(element, verb, rows, comment.value.trim(), corrected ? corrected.value.trim() : '', message, confirm);
    }},
      h('p', {class: 'what'}, h('strong', {}, `${VERBS[verb].label} `), codes, ` of specimen ${element.querySelector('h2').textContent.replace(/^Specimen /, '')}`),
      h('label', {for: comment.id}, 'Comment (required)'), comment,
      corrected ? [h('label', {for: corrected.id}, 'Corrected value (optional)'), corrected] : null,
      confirm,
      h('button', {type: 'button', onclick: () => closeConfirm(element)}, 'Cancel', h('kbd', {}, 'Esc')),
      message);
    comment.addEventListener('input', () => { message.textContent = ''; });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        closeConfirm(element);
      }
    });
    clear(panel, form);
    panel.hidden = false;
    for (const r of heldRows(element)) r.classList.toggle('chosen', rows.includes(r));
    comment.focus();
  }

  function closeConfirm(element, keepFocus = true) {
    const panel = element.querySelector('.confirm');
    panel.hidden = true;
    panel.replaceChildren();
    for (const r of heldRows(element)) r.classList.remove('chosen');
    if (keepFocus && state.focus && state.focus.isConnected) state.focus.focus();
  }

  async function apply(element, verb, rows, comment, corrected, message, button) {
    if (!comment) {
      message.textContent = 'A comment is required.';
      return;
    }
    button.disabled = true;
    message.textContent = '';
    const done = [], taken = [], failures = [];
    for (const row of rows) {
      const body = {comment};
      if (corrected) body.corrected_value = corrected;
      try {
        await post(`/api/v1/review/${row.dataset.resultId}/${verb}`, body);
        done.push(row.dataset.code);
        removeRow(row);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          taken.push(row.dataset.code);
          removeRow(row);
        } else {
          failures.push(`${row.dataset.code}: ${e.message}`);
        }
      }
    }
    if (failures.length) {
      button.disabled = false;
      message.textContent = failures.join('; ');
      return;
    }
    app.announce([done.length ? `${done.join(', ')} ${VERBS[verb].done}` : '',
      taken.length ? `${taken.join(', ')} had been decided by someone else meanwhile` : '']
      .filter(Boolean).join('; '));
    if (element.isConnected) closeConfirm(element, false);
    moveOn(element);
  }

  function removeRow(row) {
    const element = row.closest('article');
    const next = nextRow(row, 1) || nextRow(row, -1);
    if (state.focus === row) state.focus = null;
    row.remove();
    const s = state.specimens.find((x) => x.specimen_row_id === Number(element?.dataset.specimenRowId));
    if (s) s.results = s.results.filter((r) => r.result_id !== Number(row.dataset.resultId));
    if (element && heldRows(element).length === 0) {
      state.specimens = state.specimens.filter((x) => x !== s);
      removeCard(element);
    }
    if (!state.focus && next && next.isConnected) setFocus(next, document.activeElement === document.body);
    summarize();
  }

  function removeCard(element) {
    state.cards.delete(Number(element.dataset.specimenRowId));
    element.remove();
  }

  function moveOn(element) {
    if (state.focus && state.focus.isConnected) {
      state.focus.focus();
      return;
    }
    const row = element.isConnected ? element.querySelector('tr.result') : list.querySelector('tr.result');
    if (row) setFocus(row, true);
  }

  function setFocus(row, moveDomFocus) {
    if (state.focus) {
      state.focus.classList.remove('focused');
      state.focus.removeAttribute('aria-current');
    }
    state.focus = row;
    row.classList.add('focused');
    row.setAttribute('aria-current', 'true');
    if (moveDomFocus) {
      row.focus({preventScroll: true});
      row.scrollIntoView({block: 'nearest'});
    }
  }

  function allRows() {
    return [...list.querySelectorAll('tr.result')];
  }

  function nextRow(row, step) {
    const rows = allRows();
    const at = rows.indexOf(row);
    return at < 0 ? null : rows[at + step] || null;
  }

  function nextCard(step) {
    const cards = [...list.querySelectorAll('article.card')];
    const current = state.focus ? state.focus.closest('article') : null;
    const at = cards.indexOf(current);
    const target = cards[Math.min(cards.length - 1, Math.max(0, at + step))];
    return target ? target.querySelector('tr.result') : null;
  }

  function onKey(e) {
    if (e.target.closest && e.target.closest('input, textarea, select, form')) return false;
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const row = state.focus && state.focus.isConnected ? state.focus : list.querySelector('tr.result');
    const go = (target) => target && setFocus(target, true);
    switch (e.key) {
      case 'j': case 'ArrowDown': go(row && nextRow(row, 1)); break;
      case 'k': case 'ArrowUp': go(row && nextRow(row, -1)); break;
      case 'n': go(nextCard(1)); break;
      case 'p': go(nextCard(-1)); break;
      case 'r': case 'e': case 'x':
        if (row) openConfirm(row.closest('article'), verbOf(e.key), [row]);
        break;
      case 'R': case 'E': case 'X':
        if (row) openConfirm(row.closest('article'), verbOf(e.key.toLowerCase()), heldRows(row.closest('article')));
        break;
      case 'c': {
        const open = list.querySelector('.confirm:not([hidden]) input');
        if (open) open.focus();
        else if (row) openConfirm(row.closest('article'), 'release', [row]);
        break;
      }
      case 'o': if (row) location.hash = row.closest('article').querySelector('a.open').getAttribute('href'); break;
      case '?': help.toggleAttribute('hidden'); break;
      default: return false;
    }
    e.preventDefault();
    return true;
  }

  function verbOf(key) {
    return Object.keys(VERBS).find((v) => VERBS[v].key === key);
  }

  load(true);
  overdue.start();
  let scheduled = null;  // events come in bursts: one read of the queue for each burst
  return {
    onKey,
    onEvent(event) {
      overdue.onEvent(event);
      if (!['held', 'released', 'rerun', 'rejected', 'gap'].includes(event.type) || scheduled) return;
      scheduled = setTimeout(() => {
        scheduled = null;
        load(false);
      }, 200);
    },
  };
}

function keyHelp() {
  const keys = [
    ['j / ↓', 'next result'], ['k / ↑', 'previous result'], ['n / p', 'next / previous specimen'],
    ['r', 'release the result'], ['e', 'rerun the result'], ['x', 'reject the result'],
    ['⇧R ⇧E ⇧X', 'the same for every held result of the specimen'],
    ['c', 'write the comment'], ['Enter', 'confirm'], ['Esc', 'cancel'],
    ['o', 'open the specimen’s history'], ['?', 'show or hide these keys'],
  ];
  return h('aside', {class: 'keys', hidden: true, 'aria-label': 'Keyboard'},
    h('h2', {}, 'Keys'),
    h('dl', {}, keys.map(([k, what]) => h('div', {}, h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)))));
}
