/**
 * Small inline SVG charts. Each is a picture of the table that follows it (the table is what
 * a screen reader and the exports read), so the SVG carries one summary label and per-mark
 * <title>s for pointer users. Colours come from dashboard.css classes (the CSP allows no inline style).
 */
import { s } from './dom';

const WIDTH = 520;

/** Vertical bars of report counts per bucket. */
export function countBars(points: readonly { label: string; count: number }[], summary: string): SVGElement {
  const height = 120;
  const top = 10;
  const bottom = 20;
  const max = Math.max(1, ...points.map((p) => p.count));
  const step = (WIDTH - 40) / Math.max(1, points.length);
  const bar = Math.max(1, Math.min(40, step * 0.8));
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': summary, class: 'chart' });
  svg.append(s('line', { x1: 30, x2: WIDTH - 10, y1: height - bottom, y2: height - bottom, class: 'axis' }));
  svg.append(s('text', { x: 26, y: top + 4, 'text-anchor': 'end', class: 'tick' }, String(max)));
  svg.append(s('text', { x: 26, y: height - bottom, 'text-anchor': 'end', class: 'tick' }, '0'));
  points.forEach((p, i) => {
    const h = ((height - top - bottom) * p.count) / max;
    const x = 35 + i * step;
    svg.append(
      s(
        'rect',
        { x, y: height - bottom - h, width: bar, height: h, class: 'bar' },
        s('title', {}, `${p.label}: ${p.count} reports`),
      ),
    );
  });
  const first = points[0];
  const last = points[points.length - 1];
  if (first) svg.append(s('text', { x: 35, y: height - 5, class: 'tick' }, first.label));
  if (last && last !== first)
    svg.append(s('text', { x: WIDTH - 10, y: height - 5, 'text-anchor': 'end', class: 'tick' }, last.label));
  return svg;
}

/** A tick label's room on the axis (px of the viewBox): "1.05" beside "1" would read "11.05". */
const TICK_ROOM = 34;

/** The ticks, round ones first, each kept only when its label has room from those already kept. */
export function spacedTicks(candidates: readonly number[], x: (v: number) => number): number[] {
  const kept: number[] = [];
  for (const t of candidates) if (kept.every((k) => Math.abs(x(k) - x(t)) >= TICK_ROOM)) kept.push(t);
  return kept.sort((a, b) => a - b);
}

export interface IntervalMark {
  readonly label: string;
  readonly estimate: number;
  readonly low: number | null;
  readonly high: number | null;
}

/** One line per category: the 95 % interval as a segment, the estimate as a dot, on a shared axis. */
export function intervalChart(marks: readonly IntervalMark[], summary: string): SVGElement {
  const row = 18;
  const left = 150;
  const right = WIDTH - 15;
  const height = marks.length * row + 28;
  const values = marks.flatMap((m) => [m.estimate, m.low ?? m.estimate, m.high ?? m.estimate]);
  // Unbiased estimates may leave [0, 1]; the axis widens to show them as given.
  const min = Math.min(0, ...values);
  const max = Math.max(1, ...values);
  const x = (v: number) => left + ((right - left) * (v - min)) / (max - min);
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': summary, class: 'chart' });
  for (const tick of spacedTicks([0, 0.5, 1, min, max], x)) {
    svg.append(s('line', { x1: x(tick), x2: x(tick), y1: 4, y2: height - 18, class: 'grid' }));
    svg.append(
      s('text', { x: x(tick), y: height - 4, 'text-anchor': 'middle', class: 'tick' }, String(+tick.toFixed(2))),
    );
  }
  marks.forEach((m, i) => {
    const y = 12 + i * row;
    const title =
      `${m.label}: ${m.estimate.toFixed(3)}` +
      (m.low !== null ? ` (95 % CI ${m.low.toFixed(3)} to ${m.high!.toFixed(3)})` : '');
    svg.append(s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'label' }, m.label));
    const g = s('g', { class: 'mark' }, s('title', {}, title));
    if (m.low !== null && m.high !== null)
      g.append(s('line', { x1: x(m.low), x2: x(m.high), y1: y, y2: y, class: 'ci' }));
    g.append(s('circle', { cx: x(m.estimate), cy: y, r: 3.5, class: 'estimate' }));
    svg.append(g);
  });
  return svg;
}
