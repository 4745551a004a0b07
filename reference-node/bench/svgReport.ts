/**
 * The benchmark's picture (issue 12 item 4): small line charts side by side in one SVG file, each SFR
 * series drawn solid beside its same-run baseline dashed, so a ratio can be read at a glance. No
 * dependency: the charts are a few SVG paths.
 */

export interface Series {
  /** Legend text; the SFR series say "SFR node", baselines say "baseline: …". */
  readonly label: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly baseline: boolean;
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Log-scale x (latencies spanning decades). */
  readonly logX?: boolean;
}

const W = 460;
const H = 320;
const M = { left: 58, right: 14, top: 34, bottom: 96 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(2));

/** Cumulative distribution of `values`: (value, fraction ≤ value) pairs, at most `max` points. */
export function cdfOf(values: readonly number[], max = 200): Array<[number, number]> {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return [];
  const step = Math.max(1, Math.floor(s.length / max));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; i += step) out.push([s[i]!, (i + 1) / s.length]);
  out.push([s[s.length - 1]!, 1]);
  return out;
}

/** Arrivals per second in `binMs` bins, from arrival times (ms since the start). */
export function rateOf(arrivalsMs: readonly number[], binMs = 100): Array<[number, number]> {
  if (arrivalsMs.length === 0) return [];
  const bins = new Array<number>(Math.floor(Math.max(...arrivalsMs) / binMs) + 1).fill(0);
  for (const t of arrivalsMs) bins[Math.floor(t / binMs)]!++;
  return bins.map((c, i) => [((i + 0.5) * binMs) / 1000, (c * 1000) / binMs]);
}

function chartSvg(chart: Chart, x0: number): string {
  const pts = chart.series.flatMap((s) => s.points);
  const fx = (v: number) => (chart.logX ? Math.log10(Math.max(v, 0.1)) : v);
  const xs = pts.map(([x]) => fx(x));
  const ys = pts.map(([, y]) => y);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1e-9) : 1;
  const yMax = ys.length ? Math.max(...ys, 1e-9) : 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x: number) => x0 + M.left + ((fx(x) - xMin) / (xMax - xMin || 1)) * pw;
  const py = (y: number) => M.top + ph - (y / yMax) * ph;
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(chart.title)}</text>`,
    `<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  for (let k = 0; k <= 4; k++) {
    const xv = xMin + ((xMax - xMin) * k) / 4;
    const label = chart.logX ? num(10 ** xv) : num(xv);
    const gx = x0 + M.left + (pw * k) / 4;
    parts.push(
      `<text x="${gx}" y="${M.top + ph + 14}" text-anchor="middle" font-size="10">${label}</text>`,
      `<text x="${x0 + M.left - 4}" y="${M.top + ph - (ph * k) / 4 + 3}" text-anchor="end" font-size="10">${num((yMax * k) / 4)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + M.left + pw / 2}" y="${M.top + ph + 30}" text-anchor="middle" font-size="11">${esc(chart.xLabel)}</text>`,
    `<text x="${x0 + 12}" y="${M.top + ph / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${x0 + 12} ${M.top + ph / 2})">${esc(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const colour = COLOURS[Math.floor(i / 2) % COLOURS.length];
    if (s.points.length > 0) {
      const d = s.points
        .map(([x, y], k) => `${k ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
        .join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${s.baseline ? 1.5 : 2.2}"${s.baseline ? ' stroke-dasharray="5,3"' : ''}/>`,
      );
    }
    const ly = M.top + ph + 46 + Math.floor(i / 2) * 14;
    const lx = x0 + M.left + (i % 2) * (pw / 2);
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${s.baseline ? ' stroke-dasharray="5,3"' : ''}/>`,
      `<text x="${lx + 22}" y="${ly}" font-size="10">${esc(s.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** One SVG document with `charts` side by side, a caption line under them. */
export function renderSvgReport(charts: readonly Chart[], caption: string): string {
  const width = W * Math.max(1, charts.length);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 20}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...charts.map((c, i) => chartSvg(c, i * W)),
    `<text x="8" y="${H + 12}" font-size="10" fill="#555">${esc(caption)}</text>`,
    '</svg>',
  ].join('\n');
}
