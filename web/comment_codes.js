// The lab's comment codes in any comment field: a code typed and followed by a space or
// punctuation becomes its text in place (.ok -> "Reviewed, consistent with previous"); Enter on a
// field whose last word is a code expands it and does not submit, so that nothing is sent that the
// technologist did not see (the second Enter submits); the codes matching the word being typed are
// offered under the field (an ARIA listbox: arrows, Enter to take one, Esc to close it). Free
// text is left as typed, and so is a code the lab does not have.

import {get} from './api.js';
import {h} from './dom.js';

const WORD = /(^|\s)(\.[A-Za-z0-9]{0,16})$/;
const DELIMITER = /^[\s\p{P}]$/u;
const MAX_OFFERED = 8;

// A Map code -> text from GET /api/v1/review/comments (or any [{code, text}]).
export function codeMap(answer) {
  const list = Array.isArray(answer) ? answer : (answer && answer.codes) || [];
  return new Map(list.map((c) => [c.code, c.text]));
}

let loading = null;

// The codes in force, read once per page load (a failure is read again next time).
export function loadCommentCodes() {
  loading ??= get('/api/v1/review/comments').then(codeMap, (e) => {
    loading = null;
    throw e;
  });
  return loading;
}

// The word that ends at `end` when it is a dot and up to 16 letters or digits, at the start of the
// text or after a space: {start, word}; else null.
export function wordEndingAt(text, end) {
  const m = WORD.exec(text.slice(0, end));
  return m ? {start: end - m[2].length, word: m[2]} : null;
}

// After typing: when the character before `caret` is a space or punctuation and the word before it
// a code, that word replaced by its text. {value, caret} or null.
export function expandTyped(value, caret, codes) {
  if (caret < 1 || !DELIMITER.test(value[caret - 1])) return null;
  const found = wordEndingAt(value, caret - 1);
  if (!found || !codes.has(found.word)) return null;
  const expanded = replaceWord(value, found.start, caret - 1, codes.get(found.word));
  return {value: expanded.value, caret: expanded.caret + 1};  // after the character typed
}

// Enter: when the field's last word (trailing spaces aside) is a code, that word replaced by its
// text and the caret at the end. {value, caret} or null.
export function expandLast(value, codes) {
  const end = value.trimEnd().length;
  const found = wordEndingAt(value, end);
  if (!found || !codes.has(found.word)) return null;
  const expanded = replaceWord(value.slice(0, end), found.start, end, codes.get(found.word));
  return {value: expanded.value, caret: expanded.value.length};
}

// The codes offered for the word being typed before `caret` (a dot and what follows it): those
// starting with it, ignoring case, by code; none when the caret is not in such a word.
export function offered(value, caret, codes) {
  const found = wordEndingAt(value, caret);
  if (!found) return [];
  const typed = found.word.toLowerCase();
  return [...codes]
    .filter(([code]) => code.toLowerCase().startsWith(typed))
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, MAX_OFFERED)
    .map(([code, text]) => ({code, text}));
}

// The word before `caret` replaced by `text` (a code taken from the list). {value, caret}.
export function takeOffered(value, caret, text) {
  const found = wordEndingAt(value, caret);
  const start = found ? found.start : caret;
  return replaceWord(value, start, caret, text);
}

function replaceWord(value, start, end, text) {
  return {value: value.slice(0, start) + text + value.slice(end), caret: start + text.length};
}

let fields = 0;
// Each comment field's keys, by field: read before any page's keys (a panel's focus trap closes on
// Esc, a queue moves on arrows), so that the field's own keys are the field's while it has the
// focus. One listener for the page; a field gone from it is forgotten with it.
const keysOf = new WeakMap();
let listening = false;
function listenForFields() {
  if (listening) return;
  listening = true;
  window.addEventListener('keydown', (e) => {
    const keys = keysOf.get(e.target);
    if (keys) keys(e);
  }, true);
}

// Makes `input` (an <input> or <textarea> with an id) a comment field with the codes in `codes`
// (a Map, or a promise of one: loadCommentCodes()). The list goes right after the field. Returns
// {setCodes(map)}.
export function commentCodes(input, codes = loadCommentCodes()) {
  let known = new Map();
  let options = [];
  let active = -1;
  const id = `${input.id || `comment-${++fields}`}-codes`;
  const list = h('ul', {id, role: 'listbox', class: 'comment-codes', 'aria-label': 'Comment codes'});
  list.hidden = true;
  const said = h('span', {class: 'sr-only', role: 'status'});
  input.after(list, said);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', id);
  input.setAttribute('autocomplete', 'off');

  const put = ({value, caret}, words) => {
    input.value = value;
    input.setSelectionRange(caret, caret);
    said.textContent = words;
    input.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const close = () => {
    options = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const show = () => {
    options = offered(input.value, input.selectionStart, known);
    if (options.length === 0) {
      close();
      return;
    }
    active = Math.min(active, options.length - 1);
    list.replaceChildren(...options.map((o, i) => h('li', {
      id: `${id}-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false',
      class: i === active ? 'active' : null,
      onmousedown: (e) => {
        e.preventDefault();  // the field keeps the focus
        take(i);
      },
    }, h('strong', {}, o.code), ` ${o.text}`)));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `${id}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const take = (i) => {
    const o = options[i];
    close();
    put(takeOffered(input.value, input.selectionStart, o.text), `${o.code}: ${o.text}`);
  };
  const move = (step) => {
    if (list.hidden) active = -1;
    const n = offered(input.value, input.selectionStart, known).length;
    if (n === 0) return false;
    active = (active + step + n) % n;
    show();
    return true;
  };

  input.addEventListener('input', (e) => {
    if (e.inputType && e.inputType.startsWith('insert') && e.inputType !== 'insertFromPaste') {
      const expanded = expandTyped(input.value, input.selectionStart, known);
      if (expanded) {
        active = -1;
        close();
        put(expanded, 'Code expanded');
        return;
      }
    }
    show();
  });
  keysOf.set(input, (e) => {
    const mine = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (move(e.key === 'ArrowDown' ? 1 : -1)) mine();
    } else if (e.key === 'Enter' && !e.shiftKey) {
      if (!list.hidden && active >= 0) {
        mine();
        take(active);
        return;
      }
      const expanded = expandLast(input.value, known);
      close();
      if (expanded) {
        mine();  // seen first, sent with the next Enter
        put(expanded, 'Code expanded: Enter again to send');
      }
    } else if (e.key === 'Escape' && !list.hidden) {
      mine();  // the list closes, not the panel around the field
      close();
    } else if (e.key === 'Tab') {
      close();
    }
  });
  listenForFields();
  input.addEventListener('blur', close);
  input.addEventListener('click', show);

  const setCodes = (map) => {
    known = map;
  };
  Promise.resolve(codes).then(setCodes, () => setCodes(new Map()));
  return {setCodes};
}
