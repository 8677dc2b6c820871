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

// "11-28 10:15" (month-day hours:minutes, local), for axis ticks and point labels.
export function day(iso) {
  const t = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

// A horizontal line across the plot from left to right at y, labelled beyond its right end.
export function labelledLine(kind, y, left, right, label) {
  return s('g', {class: `line ${kind}`},
    s('line', {x1: left, x2: right, y1: y, y2: y}),
    s('text', {x: right + 6, y: y + 4}, label));
}

// Time labels under the points at baseline: about six, the last always, none crowding it.
export function timeTicks(points, x, baseline) {
  const every = Math.max(1, Math.ceil(points.length / 6));
  const last = points.length - 1;
  return points.map((p, i) => ((i % every === 0 && last - i >= every / 2) || i === last
    ? s('text', {class: 'tick', x: x(i), y: baseline, 'text-anchor': 'middle'}, day(p.at))
    : null));
}
