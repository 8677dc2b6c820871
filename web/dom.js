// Building the page: elements from data (text only, never HTML from the server), and how values
// are written for a technologist.

// h('td', {class: 'x', onclick: f}, 'text', child, [more]): an element; null/false children skip.
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const pad = (n) => String(n).padStart(2, '0');

// 2026-11-28 14:05 (local time), or '' for nothing.
export function when(iso) {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return String(iso);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

// "12 min ago", "3 h ago", "2 d ago".
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60000));
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} d ago`;
}

// The patient's age at `at` from a birth date the analyzer or LIS sent (YYYYMMDD or YYYY-MM-DD).
export function age(birthDate, at) {
  const digits = String(birthDate || '').replaceAll('-', '');
  if (!/^\d{8}/.test(digits)) return '';
  const born = new Date(+digits.slice(0, 4), +digits.slice(4, 6) - 1, +digits.slice(6, 8));
  const then = at ? new Date(at) : new Date();
  let years = then.getFullYear() - born.getFullYear();
  if (then.getMonth() < born.getMonth() ||
      (then.getMonth() === born.getMonth() && then.getDate() < born.getDate())) years -= 1;
  if (years >= 2) return `${years} y`;
  const months = Math.max(0, Math.floor((then - born) / (30.44 * 86400000)));
  return months >= 1 ? `${months} mo` : `${Math.max(0, Math.floor((then - born) / 86400000))} d`;
}

export function sexWord(sex) {
  return {M: 'male', F: 'female', O: 'other', U: 'unknown'}[sex] || (sex ? sex : 'sex not sent');
}

// The abnormal flag as words and an arrow, so it never rests on colour alone.
export function abnormal(flag) {
  const f = String(flag || '').toUpperCase();
  if (!f || f === 'N') return null;
  if (f === 'HH' || f === '>') return {level: 'critical', arrow: '▲▲', words: 'critically high'};
  if (f === 'LL' || f === '<') return {level: 'critical', arrow: '▼▼', words: 'critically low'};
  if (f === 'H') return {level: 'abnormal', arrow: '▲', words: 'high'};
  if (f === 'L') return {level: 'abnormal', arrow: '▼', words: 'low'};
  return {level: 'abnormal', arrow: '◆', words: `abnormal (${f})`};
}

export function number(value) {
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

// The difference from a previous value, signed, with as many decimals as the values have.
export function delta(current, previous) {
  const a = number(current), b = number(previous);
  if (a === null || b === null) return '';
  const decimals = Math.max(decimalsOf(current), decimalsOf(previous));
  const d = a - b;
  const percent = b !== 0 ? ` (${d >= 0 ? '+' : ''}${Math.round((d / Math.abs(b)) * 100)} %)` : '';
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(decimals)}${percent}`;
}

function decimalsOf(value) {
  const text = String(value ?? '');
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(4, text.length - dot - 1);
}
