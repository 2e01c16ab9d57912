// The probe curve (measured activation std per depth vs the static forecast), read from
// `report.probe` when a forward probe ran. Only the few fields charted are read, defensively,
// because the section is optional and produced by a separate run.
import type { Report } from '../../src/core/report/reportModel';

export interface ProbeCurve {
  readonly x: number[];
  readonly measured: (number | null)[];
  readonly forecast: (number | null)[];
  readonly layerIds: string[];
  readonly note: string;
  /** min / max of measured ÷ forecast std over the layers where both are known (null if none). */
  readonly ratioRange: readonly [number, number] | null;
}

interface ProbeLayerLike {
  readonly layerId: string;
  readonly depth: number;
  readonly std: number | null;
  readonly forecastStd: number | null;
}

const pos = (v: unknown): number | null => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : null);

export function probeCurve(report: Report): ProbeCurve | null {
  const probe = report.probe as { layers?: unknown; batches?: unknown; inputs?: unknown } | undefined | null;
  if (!probe || !Array.isArray(probe.layers) || probe.layers.length === 0) return null;
  const layers = (probe.layers as ProbeLayerLike[]).filter((l) => typeof l?.layerId === 'string' && typeof l.depth === 'number');
  if (layers.length === 0) return null;
  const batches = typeof probe.batches === 'number' ? probe.batches : null;
  const ratios = layers.map((l) => { const m = pos(l.std), f = pos(l.forecastStd); return m != null && f != null && f > 0 ? m / f : null; }).filter((r): r is number => r != null);
  return {
    ratioRange: ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : null,
    x: layers.map((l) => l.depth),
    measured: layers.map((l) => pos(l.std)),
    forecast: layers.map((l) => pos(l.forecastStd)),
    layerIds: layers.map((l) => l.layerId),
    note: `Output std of each of the ${layers.length} probed layers in a forward run with synthetic inputs${batches != null ? ` (${batches} batches)` : ''}, against the static forecast (√ cumulative variance).`,
  };
}
