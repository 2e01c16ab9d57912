// The weight histogram with the recommended init's density drawn over it (as expected counts
// per bin): a fresh layer sits on the curve, a trained or mis-scaled one visibly does not.
import uPlot from 'uplot';
import type { LayerReport } from '../../src/core/report/reportModel';
import type { Chart} from './charts';
import { axis, chartTheme, withAlpha } from './charts';

export interface Overlay {
  readonly kind: 'normal' | 'uniform';
  readonly std: number;
  readonly label: string;
}

/** Which density to overlay: uniform when the matched scheme is a uniform one, else normal. */
export function overlayFor(l: LayerReport): Overlay | null {
  const std = l.recommended.std;
  if (std == null || !(std > 0)) return null;
  const kind = /uniform/i.test(l.matchedScheme?.label ?? '') ? 'uniform' : 'normal';
  const scheme = l.recommended.scheme ?? 'recommended';
  return { kind, std, label: `${scheme} ${kind} (std ${std.toPrecision(3)})` };
}

export interface HistogramSeries {
  /** Bin edges merged with the overlay's sample points, ascending. */
  readonly x: number[];
  /** Step function of the bin counts (count of the bin starting at or containing x); null outside. */
  readonly counts: (number | null)[];
  /** The overlay's expected count per bin of the same width: N·width·pdf(x). */
  readonly expected: (number | null)[];
  readonly maxCount: number;
}

const OVERLAY_SAMPLES = 160;

/**
 * The histogram as a step function on its bin edges, and the recommended density as a smooth
 * curve over ±3.5 recommended std (or the histogram's range, whichever is wider), on one x axis:
 * a far too narrow or too wide layer is visible at once.
 */
export function histogramSeries(l: LayerReport, ov: Overlay | null): HistogramSeries | null {
  const hist = l.histogram;
  if (!hist || hist.counts.length === 0 || !(hist.max > hist.min)) return null;
  const n = hist.counts.length;
  const w = (hist.max - hist.min) / n;
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const xs = new Set<number>();
  for (let i = 0; i <= n; i++) xs.add(hist.min + i * w);
  if (ov) {
    const half = ov.kind === 'uniform' ? Math.sqrt(3) * ov.std * 1.15 : 3.5 * ov.std;
    const lo = Math.min(hist.min, -half), hi = Math.max(hist.max, half);
    for (let i = 0; i <= OVERLAY_SAMPLES; i++) xs.add(lo + ((hi - lo) * i) / OVERLAY_SAMPLES);
    if (ov.kind === 'uniform') {
      const b = Math.sqrt(3) * ov.std;
      for (const e of [-b, b]) { xs.add(e - 1e-12 * b); xs.add(e); }
    }
  }
  const x = [...xs].sort((a, b) => a - b);
  const counts = x.map((v) => {
    if (v < hist.min - 1e-12 * w || v > hist.max + 1e-12 * w) return null;
    const i = Math.min(n - 1, Math.max(0, Math.floor((v - hist.min) / w + 1e-9)));
    return hist.counts[i]!;
  });
  const expected = x.map((c) => {
    if (!ov) return null;
    if (ov.kind === 'normal') return total * w * Math.exp(-0.5 * (c / ov.std) ** 2) / (ov.std * Math.sqrt(2 * Math.PI));
    const b = Math.sqrt(3) * ov.std;
    return Math.abs(c) < b ? total * w / (2 * b) : 0;
  });
  return { x, counts, expected, maxCount: Math.max(1, ...hist.counts) };
}

export function drawHistogram(chart: Chart, l: LayerReport): boolean {
  const ov = overlayFor(l);
  const s = histogramSeries(l, ov);
  if (!s) { chart.destroy(); return false; }
  const t = chartTheme();
  const maxExp = Math.max(0, ...s.expected.map((v) => v ?? 0));
  // A far narrower recommendation would dwarf the histogram: cap the axis at 3× the tallest bin.
  const top = Math.max(s.maxCount, Math.min(maxExp, 3 * s.maxCount)) * 1.08;
  chart.draw({
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: [s.x[0]!, s.x[s.x.length - 1]!] }, y: { range: [0, top] } },
    axes: [axis(t, 'weight value'), axis(t, 'count per bin', { size: 60 })],
    series: [
      { label: 'value' },
      { label: 'measured', stroke: t.blue, fill: withAlpha(t.blue, 0.45), width: 1, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false }, spanGaps: false },
      { label: ov ? ov.label : 'no recommendation', stroke: t.orange, width: 2, points: { show: false } },
    ],
  }, [s.x, s.counts, s.expected]);
  return true;
}
