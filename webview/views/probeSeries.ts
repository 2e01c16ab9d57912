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
}

interface ProbeLayerLike {
  readonly layerId: string;
  readonly depth: number;
  readonly std: number | null;
  readonly forecastStd: number | null;
}

const pos = (v: unknown): number | null => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : null);

export function probeCurve(report: Report): ProbeCurve | null {
  const probe = report.probe as { layers?: unknown; batches?: unknown; inputs?: unknown } | undefined | null;
  if (!probe || !Array.isArray(probe.layers) || probe.layers.length === 0) return null;
  const layers = (probe.layers as ProbeLayerLike[]).filter((l) => typeof l?.layerId === 'string' && typeof l.depth === 'number');
  if (layers.length === 0) return null;
  const batches = typeof probe.batches === 'number' ? probe.batches : null;
  return {
    x: layers.map((l) => l.depth),
    measured: layers.map((l) => pos(l.std)),
    forecast: layers.map((l) => pos(l.forecastStd)),
    layerIds: layers.map((l) => l.layerId),
    note: `Output std of each layer in a forward run with synthetic inputs${batches != null ? ` (${batches} batches)` : ''}, against the static forecast (√ cumulative variance).`,
  };
}
