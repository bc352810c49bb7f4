/** Building elements without innerHTML (no markup from data ever reaches the parser). */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const c of children) if (c) el.append(c);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag) as SVGElement;
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const c of children) if (c) el.append(c);
  return el;
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** A number for reading (3 decimals); exports carry the exact value instead. */
export function fixed(n: number | null | undefined, digits = 3): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

/** A p-value: 3 significant digits, or "< 1e-300" style for tiny ones. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(2) : p.toPrecision(3);
}

export function interval(lo: number | null | undefined, hi: number | null | undefined): string {
  return `[${fixed(lo)}, ${fixed(hi)}]`;
}

/** A bucket's start for people: "2026-12-01" for days, "2026-12-01 14:00" for hours. */
export function bucketLabel(start: string, bucket: string): string {
  return bucket === 'hour' ? start.slice(0, 16).replace('T', ' ') : start.slice(0, 10);
}
