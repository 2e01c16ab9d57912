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

/** Bin centres, counts, and the overlay's expected count per bin (N·width·pdf(centre)). */
export function histogramSeries(l: LayerReport, ov: Overlay | null): { x: number[]; counts: number[]; expected: (number | null)[] } | null {
  const hist = l.histogram;
  if (!hist || hist.counts.length === 0 || !(hist.max > hist.min)) return null;
  const n = hist.counts.length;
  const w = (hist.max - hist.min) / n;
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const x = hist.counts.map((_, i) => hist.min + (i + 0.5) * w);
  const expected = x.map((c) => {
    if (!ov) return null;
    if (ov.kind === 'normal') return total * w * Math.exp(-0.5 * (c / ov.std) ** 2) / (ov.std * Math.sqrt(2 * Math.PI));
    const b = Math.sqrt(3) * ov.std;
    return Math.abs(c) <= b ? total * w / (2 * b) : 0;
  });
  return { x, counts: [...hist.counts], expected };
}

export function drawHistogram(chart: Chart, l: LayerReport): boolean {
  const ov = overlayFor(l);
  const s = histogramSeries(l, ov);
  if (!s) { chart.destroy(); return false; }
  const t = chartTheme();
  const maxCount = Math.max(1, ...s.counts);
  const maxExp = Math.max(0, ...s.expected.map((v) => v ?? 0));
  // A far narrower recommendation would dwarf the histogram: cap the axis at 3× the tallest bin.
  const top = Math.max(maxCount, Math.min(maxExp, 3 * maxCount)) * 1.08;
  chart.draw({
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: { range: [0, top] } },
    axes: [axis(t, 'weight value'), axis(t, 'count', { size: 56 })],
    series: [
      { label: 'value' },
      { label: 'measured', stroke: t.blue, fill: withAlpha(t.blue, 0.45), width: 1, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 0 }), points: { show: false } },
      { label: ov ? ov.label : 'no recommendation', stroke: t.orange, width: 2, points: { show: false } },
    ],
  }, [s.x, s.counts, s.expected]);
  return true;
}
