// A Levey-Jennings chart of one control level: its judged results as SD from their target (so
// results of several lots share one chart), each at its measurement time on a time axis, the mean and the 1, 2 and 3 SD lines, each point that
// broke a Westgard rule marked with the rule, and each change of lot marked where it happened.
import {day, labelledLine, measuredAt, s, scale, timeAxis, timeScale} from './svg.js';

const WIDTH = 900;
const HEIGHT = 250;
const PAD = {left: 64, right: 150, top: 22, bottom: 34};
const LIMIT = 4;  // SD shown either side; points beyond sit on the edge, their value in the label

const LINES = [
  {sd: 3, label: '+3 SD', kind: 'sd3'}, {sd: 2, label: '+2 SD', kind: 'sd2'}, {sd: 1, label: '+1 SD', kind: 'sd1'},
  {sd: 0, label: 'mean', kind: 'mean'},
  {sd: -1, label: '−1 SD', kind: 'sd1'}, {sd: -2, label: '−2 SD', kind: 'sd2'}, {sd: -3, label: '−3 SD', kind: 'sd3'},
];

export function leveyJennings(test, level) {
  const judged = level.points.filter((p) => p.phase === 'judged' && p.z !== null);
  const latest = judged[judged.length - 1];
  const y = scale(-LIMIT, LIMIT, HEIGHT - PAD.bottom, PAD.top);
  const times = judged.map(measuredAt);
  const axis = timeScale(times, PAD.left + 12, WIDTH - PAD.right - 12);
  const x = (i) => axis.x(times[i]);
  const rejected = judged.filter((p) => p.run_rejected).length;
  const name = `Levey-Jennings chart of ${test}, level ${level.level}${level.material ? ` (${level.material})` : ''}: ` +
    `${judged.length} judged results, ${rejected} in rejected runs` +
    (latest ? `, the last ${latest.value} (${signed(latest.z)} SD)` : '');
  return s('svg', {class: 'chart lj', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': name},
    s('title', {}, name),
    LINES.map((line) => labelledLine(line.kind, y(line.sd), PAD.left, WIDTH - PAD.right,
      latest ? `${line.label} ${format(latest.mean + line.sd * latest.sd, latest)}` : line.label)),
    lotChanges(judged, x),
    judged.length ? timeAxis(axis.t0, axis.t1, axis.x, HEIGHT - PAD.bottom + 18) : null,
    s('polyline', {class: 'trace', points: judged.map((p, i) => `${x(i)},${y(clamp(p.z))}`).join(' ')}),
    judged.map((p, i) => point(p, times[i], x(i), y(clamp(p.z)))));
}

// The rules this result took part in breaking (its run's others are marked on theirs): each
// violation names the results it saw by their control, and this result is its run's last.
function point(p, measured, cx, cy) {
  const me = (p.run_values || []).at(-1)?.level;
  const broken = (p.violations || []).filter((v) => !me || v.detail.includes(`level ${me}:`)).map((v) => v.rule);
  const kind = p.run_rejected ? 'rejected' : broken.length ? 'warning' : 'ok';
  const what = `${day(new Date(measured).toISOString())}: ${p.value} (${signed(p.z)} SD), lot ${p.lot || '—'}` +
    (broken.length ? `, ${broken.join(', ')}` : '') + (p.run_rejected ? ', run rejected' : '');
  return s('g', {class: `point ${kind}`},
    kind === 'rejected'
      ? s('rect', {x: cx - 5, y: cy - 5, width: 10, height: 10}, s('title', {}, what))
      : s('circle', {cx, cy, r: kind === 'warning' ? 5 : 4}, s('title', {}, what)),
    broken.length ? s('text', {x: cx, y: cy - 9, 'text-anchor': 'middle'}, [...new Set(broken)].join(' ')) : null);
}

function lotChanges(points, x) {
  return points.map((p, i) => {
    if (i === 0 || p.lot === points[i - 1].lot) return null;
    const at = (x(i - 1) + x(i)) / 2;
    return s('g', {class: 'lot-change'},
      s('line', {x1: at, x2: at, y1: PAD.top - 8, y2: HEIGHT - PAD.bottom}),
      s('text', {x: at + 4, y: PAD.top - 10}, `lot ${p.lot || '—'}`));
  });
}

const clamp = (z) => Math.max(-LIMIT, Math.min(LIMIT, z));
const signed = (z) => `${z >= 0 ? '+' : '−'}${Math.abs(z).toFixed(2)}`;

function format(value, p) {
  const decimals = Math.min(3, Math.max(1, String(p.value).split('.')[1]?.length || 1));
  return value.toFixed(decimals);
}
