// Building charts: SVG elements from data (text only), as dom.js builds HTML.
const NS = 'http://www.w3.org/2000/svg';

// s('line', {x1: 0, ...}, child...): an SVG element; null/false children skip.
export function s(tag, attributes, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A linear scale from [d0, d1] onto [r0, r1].
export function scale(d0, d1, r0, r1) {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

// x positions of n points spread over [left, right], in order.
export function spread(n, left, right) {
  return (i) => (n <= 1 ? (left + right) / 2 : left + (i * (right - left)) / (n - 1));
}

// 2026-11-28 (local), for axis ticks.
export function day(iso) {
  const t = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}
