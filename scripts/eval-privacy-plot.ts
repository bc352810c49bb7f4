/** A small dependency-free SVG: per-report MSE (log scale) and centroid accuracy against ε, one line per mechanism. */
type PlotRow = {
  mechanism: string;
  projection: string;
  epsilon: number;
  mseMeasured: number;
  accuracy: Record<number, number>;
};

const COLORS: Record<string, string> = { privunit: '#1f5fbf', gaussian: '#c0392b', laplace: '#7d8a2e' };

export function renderUtilitySvg(rows: readonly PlotRow[]): string {
  const W = 760;
  const H = 300;
  const panels = [
    {
      title: 'MSE per report (log scale), no projection',
      value: (r: PlotRow) => Math.log10(r.mseMeasured),
      tick: (v: number) => `1e${v}`,
    },
    {
      title: 'Centroid accuracy (largest n), no projection',
      value: (r: PlotRow) => r.accuracy[Math.max(...Object.keys(r.accuracy).map(Number))]!,
      tick: (v: number) => `${Math.round(v * 100)}%`,
    },
  ];
  const eps = [...new Set(rows.map((r) => r.epsilon))].sort((a, b) => a - b);
  const base = rows.filter((r) => r.projection === 'none');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">` +
      `<rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  panels.forEach((panel, p) => {
    const x0 = 50 + p * (W / 2);
    const pw = W / 2 - 80;
    const y0 = 40;
    const ph = H - 90;
    const values = base.map(panel.value);
    const lo = Math.floor(Math.min(...values) * 10) / 10;
    const hi = Math.ceil(Math.max(...values) * 10) / 10;
    const sx = (e: number) =>
      x0 + ((Math.log2(e) - Math.log2(eps[0]!)) / (Math.log2(eps.at(-1)!) - Math.log2(eps[0]!))) * pw;
    const sy = (v: number) => y0 + ph - ((v - lo) / (hi - lo || 1)) * ph;
    parts.push(`<text x="${x0}" y="${y0 - 15}" font-weight="bold">${panel.title}</text>`);
    parts.push(
      `<line x1="${x0}" y1="${y0 + ph}" x2="${x0 + pw}" y2="${y0 + ph}" stroke="#333"/>` +
        `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 + ph}" stroke="#333"/>`,
    );
    for (const e of eps) parts.push(`<text x="${sx(e)}" y="${y0 + ph + 15}" text-anchor="middle">ε=${e}</text>`);
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      parts.push(
        `<text x="${x0 - 5}" y="${sy(v) + 4}" text-anchor="end">${panel.tick(Math.round(v * 100) / 100)}</text>`,
      );
    }
    for (const name of Object.keys(COLORS)) {
      const pts = base
        .filter((r) => r.mechanism === name)
        .sort((a, b) => a.epsilon - b.epsilon)
        .map((r) => `${sx(r.epsilon).toFixed(1)},${sy(panel.value(r)).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="${COLORS[name]}" stroke-width="2" points="${pts.join(' ')}"/>`);
    }
  });
  Object.entries(COLORS).forEach(([name, color], i) =>
    parts.push(
      `<rect x="${60 + i * 110}" y="${H - 22}" width="12" height="12" fill="${color}"/>` +
        `<text x="${76 + i * 110}" y="${H - 12}">${name}</text>`,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}
