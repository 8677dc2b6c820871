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

// When a point was measured, as a time in ms: the analyzer's measurement time when it sent one
// (YYYYMMDD[HHMM[SS]], the lab's local time), else when it arrived (`at`).
export function measuredAt(p) {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?/.exec(p.measured_at || '');
  if (!m) return Date.parse(p.at);
  return new Date(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)).getTime();
}

// x of a time over [left, right], the earliest of `times` at left and the latest at right (one
// time alone in the middle).
export function timeScale(times, left, right) {
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  if (!(t1 > t0)) return {x: () => (left + right) / 2, t0, t1};
  return {x: scale(t0, t1, left, right), t0, t1};
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [1, 2, 5, 10, 15, 30].map((n) => n * SECOND)
  .concat([1, 2, 5, 10, 15, 30].map((n) => n * MINUTE), [1, 2, 3, 6, 12].map((n) => n * HOUR),
    [1, 2, 3, 7, 14, 28].map((n) => n * DAY));

// Labels on a time axis from t0 to t1 (ms) at baseline: at most `most`, at round local times a
// fixed step apart, each saying as much as tells it from the others (seconds when the step is
// under a minute; the day when the step is a day or more, or the day changes).
export function timeAxis(t0, t1, x, baseline, most = 7) {
  const span = t1 - t0;
  const step = STEPS.find((s) => span / s <= most - 1) || Math.ceil(span / (most - 1) / DAY) * DAY;
  const offset = new Date(t0).getTimezoneOffset() * MINUTE;
  const first = span > 0 ? Math.ceil((t0 - offset) / step) * step + offset : t0;
  const ticks = [];
  let previous = null;
  for (let t = first; t <= t1 && ticks.length < most + 1; t += step) {
    const label = tickLabel(t, step, previous);
    ticks.push(s('text', {class: 'tick', x: x(t), y: baseline, 'text-anchor': 'middle'}, label));
    previous = t;
  }
  return ticks;
}

function tickLabel(t, step, previous) {
  const d = new Date(t);
  const pad = (n) => String(n).padStart(2, '0');
  const date = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (step >= DAY) return date;
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}${step < MINUTE ? `:${pad(d.getSeconds())}` : ''}`;
  const newDay = previous === null ? step >= MINUTE : new Date(previous).getDate() !== d.getDate();
  return newDay ? `${date} ${clock}` : clock;
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
