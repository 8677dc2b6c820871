// The review queue: held patient specimens, STAT first then oldest first, one card each; actions
// per result and per specimen with a required comment, in one action panel at a time that keeps
// the keyboard; every step from the keyboard; new held specimens come in live, and what a
// colleague decides shows at once where it happened, without moving the technologist's place.
import {holdFocus, panelHoldingFocus} from './action_panel.js';
import {ApiError, get, may, post} from './api.js';
import {h, when} from './dom.js';
import {commentCodes} from './comment_codes.js';
import {VERBS, heldCard, heldRows, restOfSpecimen} from './held_card.js';
import {overdueOrders} from './overdue_orders.js';
import {othersSentence} from './presence.js';
import {heldGroups, heldGroupsView, qcStateOf} from './qc_held.js';

const FIRST_SCREEN = 12;  // cards rendered at once; the rest follow frame by frame
const BATCH = 60;
const PLACE_KEY = 'hemalink.queue.place';  // the result the technologist was on, kept per tab
const VIEW_KEY = 'hemalink.queue.view';
const DECIDED_WORDS = {released: 'released', rerun: 'sent for rerun', rejected: 'rejected'};

export function queuePage(root, app) {
  const state = {
    specimens: [],           // as the API returned them, in queue order
    cards: new Map(),        // specimen_row_id -> card element
    focus: null,             // the focused result row
    panel: null,             // the open action panel: {element, verb, rows, release}
    refreshing: null,
    again: false,
    rendering: 0,
    decidedHere: new Set(),  // results this page decided: a queue read begun before is not to bring them back
  };
  const list = h('div', {class: 'queue'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No result is waiting for review.');
  const help = keyHelp();
  // What happened, said to a screen reader; the eye reads it beside the card it is about (.card-note).
  const spoken = h('p', {class: 'sr-only', role: 'status', 'aria-live': 'polite'});
  const say = (text) => {
    spoken.textContent = text;
  };
  const overdue = overdueOrders(app);
  // The results a failed QC run holds, cleared as one decision above the cards; each gated card
  // says what its QC gate says now.
  let groups = [];
  const qcGroups = heldGroupsView({title: 'Held by failed QC runs', folded: true, onDecided: () => {
    load(false);
    readGroups();
  }});
  qcGroups.element.hidden = true;
  root.classList.toggle('comfortable', localStorage.getItem(VIEW_KEY) === 'comfortable');
  root.replaceChildren(
    h('div', {class: 'page-head'},
      h('h1', {}, 'Review queue'),
      h('p', {class: 'summary', id: 'queue-summary', 'aria-live': 'polite'}),
      h('button', {type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': 'queue-keys', onclick: () => toggleHelp()}, 'Keys (?)')),
    help, spoken, overdue.element, qcGroups.element, empty, list);

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

  function card(s) {
    const element = heldCard(s, {canAct: may('technologist'), act: openPanel, focus: (row) => setFocus(row, true)});
    state.cards.set(s.specimen_row_id, element);
    sayQcState(element);
    sayWhoElse(element);
    return element;
  }

  // "anna has it open" on a card another technologist is on (presence.js).
  function sayWhoElse(element) {
    const line = element.querySelector('.presence');
    line.textContent = app.presence ? othersSentence(app.presence.othersOn(Number(element.dataset.specimenRowId))) : '';
    line.hidden = !line.textContent;
  }

  async function readGroups() {
    try {
      groups = await heldGroups();
      qcGroups.show(groups);
      qcGroups.element.hidden = groups.length === 0;
      for (const element of state.cards.values()) sayQcState(element);
    } catch (e) {
      app.error(`The results held by failed QC runs could not be read: ${e.message}`);
    }
  }

  // "QC accepted again at 10:55" or "QC still out" on a card a failed QC run holds results of.
  function sayQcState(element) {
    const states = [...element.querySelectorAll('tr.result')].map((r) => qcStateOf(Number(r.dataset.resultId), groups)).filter(Boolean);
    const line = element.querySelector('.qc-state');
    line.hidden = states.length === 0;
    line.classList.toggle('out', states.some((x) => x.stillOut));
    line.textContent = [...new Set(states.map((x) => `${x.words} (${x.group.test} on ${x.group.analyzer})`))].join(' · ');
  }

  // The first screen at once, and the card the technologist left (back from a specimen's page)
  // with everything before it, so that the place is found where it was.
  function renderAll(specimens) {
    state.specimens = specimens;
    const started = performance.now();
    const place = keptPlace();
    const upTo = Math.max(FIRST_SCREEN, 1 + specimens.findIndex((s) => s.specimen_row_id === place?.specimen_row_id));
    list.replaceChildren(...specimens.slice(0, upTo).map(card));
    summarize();
    const back = place && (list.querySelector(`tr.result[data-result-id="${place.result_id}"]`) ||
      state.cards.get(place.specimen_row_id)?.querySelector('tr.result'));
    if (back) setFocus(back, true, 'center');
    else {
      const first = list.querySelector('tr.result');
      if (first) setFocus(first, false);
    }
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

  // A fresh queue against the cards shown: new specimens slot in at their place; results decided
  // elsewhere stay, greyed, saying so (the event usually said it first); the focus stays.
  function merge(answer) {
    const specimens = answer
      .map((s) => ({...s, results: s.results.filter((r) => !state.decidedHere.has(r.result_id))}))
      .filter((s) => s.results.length > 0);
    const fresh = new Map(specimens.map((s) => [s.specimen_row_id, s]));
    const known = new Set(state.specimens.map((s) => s.specimen_row_id));
    for (const [id, element] of state.cards) {
      const held = new Set((fresh.get(id)?.results || []).map((r) => r.result_id));
      for (const row of heldRows(element)) {
        if (!held.has(Number(row.dataset.resultId)) && !row.classList.contains('acting')) decidedElsewhere(row, null);
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
        say(`New held specimen ${s.specimen_id}`);
      }
      if (element) previous = element;
    }
    state.specimens = specimens;
    summarize();
    if (!state.focus || !state.focus.isConnected) {
      const first = list.querySelector('tr.result:not(.decided)');
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

  function forget(resultId) {
    state.decidedHere.add(resultId);
    for (const s of state.specimens) s.results = s.results.filter((r) => r.result_id !== resultId);
    state.specimens = state.specimens.filter((s) => s.results.length > 0);
  }

  // A colleague (or another tab) decided this result: the row says who and when, greyed, without
  // buttons; an action panel open on it closes with the message beside it; the focus stays.
  function decidedElsewhere(row, event) {
    if (row.classList.contains('decided')) return;
    const element = row.closest('article');
    const who = event?.decided_by ? String(event.decided_by).replace(/^user:/, '') : null;
    const words = event ? `${DECIDED_WORDS[event.type] || event.type} by ${who || 'someone else'} at ${when(event.decided_at || event.at).slice(11)}` : 'decided elsewhere';
    row.classList.add('decided');
    row.classList.remove('chosen');
    const act = row.querySelector('td.row-actions');
    if (act) act.replaceChildren(h('span', {class: 'decided-note'}, words));
    else row.lastElementChild.append(h('span', {class: 'decided-note'}, ` (${words})`));
    forget(Number(row.dataset.resultId));
    const panel = state.panel;
    if (panel && panel.rows.includes(row) && !panel.busy) {
      const typed = panel.element.querySelector('.confirm input[id^="comment-"]')?.value.trim();
      closePanel();
      note(element, `${row.dataset.name} was ${words} while your ${VERBS[panel.verb].label.toLowerCase()} was open: nothing was sent${typed ? ` (your comment: “${typed}”)` : ''}.`);
    } else {
      note(element, `${row.dataset.name} was ${words}.`);
    }
    if (heldRows(element).length === 0) {
      element.classList.add('decided');
      element.querySelector('.card-actions')?.remove();
    } else if (heldRows(element).length === 1) {
      element.querySelector('.card-actions')?.remove();
    }
    say(`${row.dataset.name} of ${element.querySelector('h2').textContent.replace(/^Specimen /, '')} was ${words}`);
    summarize();
  }

  function note(element, text) {
    const line = element.querySelector('.card-note');
    if (line) line.textContent = text;
  }

  // The action panel of `verb` on `rows` of the card `element`; one at a time: while one is open
  // another does not open, the open one says so and keeps the focus.
  function openPanel(element, verb, rows) {
    if (!may('technologist') || rows.length === 0) return;
    if (!state.panel && panelHoldingFocus()) {  // the QC groups' panel is open
      panelHoldingFocus().querySelector('input, button')?.focus();
      return;
    }
    if (state.panel) {
      const open = state.panel;
      open.element.querySelector('.confirm .error').textContent = 'Finish or cancel this action first (Esc cancels).';
      open.element.querySelector('.confirm input[id^="comment-"]')?.focus();
      return;
    }
    const panel = element.querySelector('.confirm');
    const wide = rows.length > 1;
    const id = element.dataset.specimenRowId;
    const specimen = element.querySelector('h2').textContent.replace(/^Specimen /, '');
    const comment = h('input', {type: 'text', id: `comment-${id}`, 'aria-required': 'true', maxlength: 2000, autocomplete: 'off'});
    const corrected = verb === 'release' && !wide
      ? h('input', {type: 'text', id: `corrected-${id}`, autocomplete: 'off', inputmode: 'decimal'}) : null;
    const message = h('p', {class: 'error', role: 'alert'});
    const confirm = h('button', {type: 'submit', class: `act ${verb}`},
      wide ? `${VERBS[verb].label} these ${rows.length} results` : `Confirm ${VERBS[verb].label.toLowerCase()}`);
    const whoElse = app.presence ? othersSentence(app.presence.othersOn(Number(id))) : '';
    const named = rows.map((r) => `${r.dataset.name} ${r.result.value}${r.result.units ? ` ${r.result.units}` : ''}`);
    const form = h('form', {class: verb, 'aria-label': `${VERBS[verb].label} of specimen ${specimen}`, onsubmit: (e) => {
      e.preventDefault();
      const text = comment.value.trim();
      if (!text) {
        message.textContent = 'A comment is required.';
        return;
      }
      if (wide && !form.dataset.sure) {
        form.dataset.sure = 'asked';
        sure.hidden = false;
        message.textContent = '';
        confirm.textContent = `Yes, ${VERBS[verb].label.toLowerCase()} all ${rows.length}`;
        confirm.focus();
        return;
      }
      apply(state.panel, verb, rows, text, corrected ? corrected.value.trim() : '', message, confirm);
    }},
      h('p', {class: 'what'}, h('strong', {}, `${VERBS[verb].label} `),
        wide ? `every held result of specimen ${specimen}: ` : `${rows[0].dataset.name} of specimen ${specimen}`,
        wide ? h('span', {class: 'touched'}, named.join(', ')) : null),
      whoElse ? h('p', {class: 'who-else', role: 'note'}, `Careful: ${whoElse} too.`) : null,
      h('label', {for: comment.id}, 'Comment (required)'), comment,
      corrected ? [h('label', {for: corrected.id}, 'Corrected value (optional)'), corrected] : null,
      confirm,
      h('button', {type: 'button', onclick: () => closePanel()}, 'Cancel', h('kbd', {}, 'Esc')),
      message);
    const sure = h('p', {class: 'sure', role: 'alert', hidden: true},
      `This ${VERBS[verb].label.toLowerCase()}s ${rows.length} results of specimen ${specimen}: ${named.join('; ')}. Enter confirms, Esc cancels.`);
    form.append(sure);
    comment.addEventListener('input', () => {
      message.textContent = '';
      if (form.dataset.sure) {
        delete form.dataset.sure;
        sure.hidden = true;
        confirm.textContent = `${VERBS[verb].label} these ${rows.length} results`;
      }
    });
    panel.replaceChildren(form);
    commentCodes(comment);
    panel.hidden = false;
    note(element, '');
    for (const r of heldRows(element)) r.classList.toggle('chosen', rows.includes(r));
    state.panel = {element, verb, rows, busy: false, release: holdFocus(panel, () => closePanel())};
    app.presence?.open(Number(id));
    comment.focus();
  }

  // `which`: the panel to close (an action closes only its own); a panel whose action is being
  // sent stays open until the answers are in.
  function closePanel(keepFocus = true, which = state.panel, evenBusy = false) {
    const open = state.panel;
    if (!open || open !== which) return;
    if (open.busy && !evenBusy) {
      open.element.querySelector('.confirm .error').textContent = 'Being sent: wait for the answer.';
      return;
    }
    state.panel = null;
    open.release();
    const panel = open.element.querySelector('.confirm');
    panel.hidden = true;
    panel.replaceChildren();
    for (const r of open.element.querySelectorAll('tr.result')) r.classList.remove('chosen');
    if (keepFocus && state.focus && state.focus.isConnected) state.focus.focus({preventScroll: true});
  }

  async function apply(panel, verb, rows, comment, corrected, message, button) {
    const element = panel.element;
    panel.busy = true;
    button.disabled = true;
    message.textContent = '';
    const done = [], taken = [], failures = [];
    for (const row of rows) {
      if (row.classList.contains('decided')) continue;
      const body = {comment};
      if (corrected) body.corrected_value = corrected;
      row.classList.add('acting');
      try {
        await post(`/api/v1/review/${row.dataset.resultId}/${verb}`, body);
        done.push(row.dataset.name);
        removeRow(row);
      } catch (e) {
        row.classList.remove('acting');
        if (e instanceof ApiError && e.status === 409) {
          taken.push(row.dataset.name);
          decidedElsewhere(row, null);
        } else {
          failures.push(`${row.dataset.name}: ${e.message}`);
        }
      }
    }
    panel.busy = false;
    if (failures.length) {
      button.disabled = false;
      message.textContent = [done.length ? `${done.join(', ')} ${VERBS[verb].done}` : '', `not done: ${failures.join('; ')}`].filter(Boolean).join('; ');
      return;
    }
    const specimen = element.querySelector('h2').textContent.replace(/^Specimen /, '');
    const said = [done.length ? `${done.join(', ')} of ${specimen} ${VERBS[verb].done}` : '',
      taken.length ? `${taken.join(', ')} had been decided by someone else meanwhile` : ''].filter(Boolean).join('; ');
    say(said);
    closePanel(false, panel);
    if (!state.panel && !panelHoldingFocus()) moveOn(element, said);
    else note(element, said);
  }

  function removeRow(row) {
    const element = row.closest('article');
    const next = nextRow(row, 1) || nextRow(row, -1);
    if (state.focus === row) state.focus = null;
    row.remove();
    forget(Number(row.dataset.resultId));
    if (element && element.querySelectorAll('tr.result').length === 0) removeCard(element);
    else if (element && heldRows(element).length < 2) element.querySelector('.card-actions')?.remove();
    if (!state.focus && next && next.isConnected) setFocus(next, document.activeElement === document.body);
    summarize();
  }

  function removeCard(element) {
    state.cards.delete(Number(element.dataset.specimenRowId));
    element.remove();
  }

  // After an action: the next held result, and what was done said beside it.
  function moveOn(element, said) {
    const target = state.focus && state.focus.isConnected ? state.focus
      : (element.isConnected ? element.querySelector('tr.result:not(.decided)') : null) || list.querySelector('tr.result:not(.decided)');
    if (target) {
      setFocus(target, true);
      if (said) note(target.closest('article'), element.isConnected ? said : `Done: ${said}.`);
    }
  }

  function setFocus(row, moveDomFocus, block = 'nearest') {
    const before = state.focus ? state.focus.closest('article') : null;
    if (state.focus) {
      state.focus.classList.remove('focused');
      state.focus.removeAttribute('aria-current');
    }
    state.focus = row;
    row.classList.add('focused');
    row.setAttribute('aria-current', 'true');
    const element = row.closest('article');
    keepPlace(row);
    if (before !== element) leftCard(before);
    if (moveDomFocus) {
      // The card being worked on, told to the others once the focus rests (j held down tells
      // nothing of the cards passed); while an action is open, the action's card.
      clearTimeout(state.presenceSoon);
      state.presenceSoon = setTimeout(() => {
        if (!state.panel && state.focus === row) app.presence?.open(Number(element.dataset.specimenRowId));
      }, 300);
      row.focus({preventScroll: true});
      row.scrollIntoView({block});
    }
  }

  // A card every result of which someone else decided leaves once the technologist moved on.
  function leftCard(element) {
    if (element && element.isConnected && element.classList.contains('decided')) removeCard(element);
  }

  function keepPlace(row) {
    sessionStorage.setItem(PLACE_KEY, JSON.stringify({result_id: Number(row.dataset.resultId),
      specimen_row_id: Number(row.closest('article').dataset.specimenRowId)}));
  }

  function keptPlace() {
    try {
      return JSON.parse(sessionStorage.getItem(PLACE_KEY) || 'null');
    } catch {
      return null;
    }
  }

  // The rows j and k go through: those still held, and the one focused.
  function walkable() {
    return [...list.querySelectorAll('tr.result')].filter((r) => !r.classList.contains('decided') || r === state.focus);
  }

  function nextRow(row, step) {
    const rows = walkable();
    const at = rows.indexOf(row);
    return at < 0 ? null : rows[at + step] || null;
  }

  function nextCard(step) {
    const cards = [...list.querySelectorAll('article.card:not(.decided)')];
    const current = state.focus ? state.focus.closest('article') : null;
    let at = cards.indexOf(current);
    if (at < 0 && current) at = cards.findIndex((c) => current.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING) - (step > 0 ? 1 : 0);
    const target = cards[Math.min(cards.length - 1, Math.max(0, at + step))];
    return target ? target.querySelector('tr.result:not(.decided)') : null;
  }

  function toggleHelp(show = help.hidden) {
    help.hidden = !show;
    root.querySelector('button[aria-controls="queue-keys"]').setAttribute('aria-expanded', String(show));
  }

  function toggleMore(element) {
    const more = element.querySelector('.more');
    more.hidden = !more.hidden;
    element.classList.toggle('open', !more.hidden);
    const rest = more.querySelector('.rest');
    if (more.hidden || rest.dataset.read) return;
    rest.dataset.read = 'reading';
    rest.replaceChildren(h('p', {class: 'muted'}, 'Reading the rest of the specimen…'));
    const s = state.specimens.find((x) => x.specimen_row_id === Number(element.dataset.specimenRowId)) ||
      {specimen_id: element.dataset.specimenId, results: heldRows(element).map((r) => r.result)};
    get(`/api/v1/specimens/${encodeURIComponent(element.dataset.specimenId)}`).then((data) => {
      const transmission = data.transmissions.find((t) => t.specimen_row_id === Number(element.dataset.specimenRowId));
      rest.replaceChildren(restOfSpecimen(s, transmission));
      rest.dataset.read = 'read';
    }).catch((e) => {
      delete rest.dataset.read;
      rest.replaceChildren(h('p', {class: 'error'}, `The rest of the specimen could not be read: ${e.message}`));
    });
  }

  function onKey(e) {
    if (state.panel || panelHoldingFocus()) return true;  // the open panel has the keyboard: no page key acts
    if (e.key === 'Escape' && !help.hidden) {
      toggleHelp(false);
      e.preventDefault();
      return true;
    }
    if (e.target.closest && e.target.closest('input, textarea, select, form')) return false;
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const row = state.focus && state.focus.isConnected ? state.focus : list.querySelector('tr.result:not(.decided)');
    const held = row && !row.classList.contains('decided');
    const go = (target) => target && setFocus(target, true);
    switch (e.key) {
      case 'j': case 'ArrowDown': go(row && nextRow(row, 1)); break;
      case 'k': case 'ArrowUp': go(row && nextRow(row, -1)); break;
      case 'n': go(nextCard(1)); break;
      case 'p': go(nextCard(-1)); break;
      case 'r': case 'e': case 'x': case 'c':
        if (held) openPanel(row.closest('article'), e.key === 'c' ? 'release' : verbOf(e.key), [row]);
        break;
      case 'R': case 'E': case 'X':
        if (row) openPanel(row.closest('article'), verbOf(e.key.toLowerCase()), heldRows(row.closest('article')));
        break;
      case 'm': if (row) toggleMore(row.closest('article')); break;
      case 'v': {
        const comfortable = root.classList.toggle('comfortable');
        localStorage.setItem(VIEW_KEY, comfortable ? 'comfortable' : 'compact');
        if (row) row.scrollIntoView({block: 'nearest'});
        break;
      }
      case 'o': if (row) location.hash = row.closest('article').querySelector('a.open').getAttribute('href'); break;
      case '?': toggleHelp(); break;
      default: return false;
    }
    e.preventDefault();
    return true;
  }

  function verbOf(key) {
    return Object.keys(VERBS).find((v) => VERBS[v].key === key);
  }

  function rowOf(resultId) {
    return list.querySelector(`tr.result[data-result-id="${Number(resultId)}"]`);
  }

  const stopPresence = app.presence ? app.presence.onChange((ids) => {
    for (const id of ids) {
      const element = state.cards.get(id);
      if (element) sayWhoElse(element);
    }
  }) : () => {};
  load(true);
  readGroups();
  overdue.start();
  let scheduled = null;  // events come in bursts: one read of the queue for each burst
  return {
    onKey,
    onLeave() {
      closePanel(false, state.panel, true);
      qcGroups.closeOpen();
      stopPresence();
    },
    onEvent(event) {
      overdue.onEvent(event);
      if (['released', 'rerun', 'rejected'].includes(event.type)) {
        const row = rowOf(event.result_id);
        if (row && !row.classList.contains('acting') && !row.classList.contains('decided')) decidedElsewhere(row, event);
      }
      if (!['held', 'released', 'rerun', 'rejected', 'gap', 'qc'].includes(event.type) || scheduled) return;
      scheduled = setTimeout(() => {
        scheduled = null;
        load(false);
        readGroups();
      }, 200);
    },
  };
}

function keyHelp() {
  const keys = [
    ['j / ↓', 'next result'], ['k / ↑', 'previous result'], ['n / p', 'next / previous specimen'],
    ['r', 'release the result'], ['e', 'rerun the result'], ['x', 'reject the result'],
    ['⇧R ⇧E ⇧X', 'the same for every held result of the specimen (confirmed twice)'],
    ['c', 'write the comment (release)'], ['Enter', 'confirm'], ['Esc', 'cancel, from anywhere'],
    ['Tab / ⇧Tab', 'move inside the open action'],
    ['m', 'more of the specimen: its other results, flags, images'], ['v', 'compact or roomy view'],
    ['o', 'open the specimen’s history (Back returns here)'], ['/', 'search a specimen'], ['?', 'show or hide these keys'],
  ];
  return h('aside', {class: 'keys', id: 'queue-keys', hidden: true, 'aria-label': 'Keyboard'},
    h('h2', {}, 'Keys'),
    h('dl', {}, keys.map(([k, what]) => h('div', {}, h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)))));
}
