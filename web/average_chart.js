// The chart of a patient-based average (Bull's XbarM, a moving average, an EWMA): each point as
// it was judged, the target and the limits; a point outside the limits is marked as a warning
// until enough points in a row are outside to make an excursion (an alarm), marked as such.
import {day, labelledLine, s, scale, timeAxis, timeScale} from './svg.js';

const WIDTH = 900;
const HEIGHT = 200;
const PAD = {left: 64, right: 150, top: 16, bottom: 34};

export function averageChart(test, points) {
  const last = points[points.length - 1];
  const values = points.map((p) => p.value).concat(last ? [last.low, last.high] : []);
  const margin = (Math.max(...values) - Math.min(...values)) * 0.1 || 1;
  const y = scale(Math.min(...values) - margin, Math.max(...values) + margin, HEIGHT - PAD.bottom, PAD.top);
  const times = points.map((p) => Date.parse(p.at));
  const axis = timeScale(times, PAD.left + 12, WIDTH - PAD.right - 12);
  const x = (i) => axis.x(times[i]);
  const excursions = points.filter((p) => p.is_excursion).length;
  const warnings = points.filter((p) => p.outside_points > 0 && !p.is_excursion).length;
  const name = `${method(last)} of ${test}: ${points.length} points, ${excursions} excursions, ${warnings} warnings` +
    (last ? `, the last ${last.value.toFixed(2)} (target ${last.target}, limits ${last.low.toFixed(2)}–${last.high.toFixed(2)})` : '');
  const lines = last ? [
    {v: last.high, label: `high ${last.high.toFixed(2)}`, kind: 'sd3'},
    {v: last.target, label: `target ${last.target}`, kind: 'mean'},
    {v: last.low, label: `low ${last.low.toFixed(2)}`, kind: 'sd3'},
  ] : [];
  return s('svg', {class: 'chart average', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': name},
    s('title', {}, name),
    lines.map((l) => labelledLine(l.kind, y(l.v), PAD.left, WIDTH - PAD.right, l.label)),
    points.length ? timeAxis(axis.t0, axis.t1, axis.x, HEIGHT - PAD.bottom + 18) : null,
    s('polyline', {class: 'trace', points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}),
    points.map((p, i) => averagePoint(p, x(i), y(p.value))));
}

function averagePoint(p, cx, cy) {
  const kind = p.is_excursion ? 'rejected' : p.outside_points > 0 ? 'warning' : 'ok';
  const what = `${day(p.at)}: ${p.value.toFixed(2)} after ${p.results} results` +
    (p.is_excursion ? `, an excursion (${p.outside_points} in a row outside the limits)`
      : p.outside_points > 0 ? ', outside the limits: a warning until enough points in a row confirm it' : '');
  return s('g', {class: `point ${kind}`},
    kind === 'rejected'
      ? s('rect', {x: cx - 5, y: cy - 5, width: 10, height: 10})
      : s('circle', {cx, cy, r: kind === 'warning' ? 5 : 3.5}),
    s('title', {}, what));
}

export function method(p) {
  return {xbarm: 'XbarM (Bull)', ma: 'Moving average', ewma: 'EWMA'}[p?.method] || 'Average';
}
