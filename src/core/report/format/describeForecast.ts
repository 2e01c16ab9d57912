import type { Report } from '../reportModel';
import { formatNumber } from './formatNumber';

/**
 * One sentence about the variance forecast, e.g. "exploding: the activation variance leaves the
 * stable band at depth 4 (layer fc4) and reaches ×3.1e6 after 12 layers". `name` makes a model
 * string safe for the caller's output format (neutralized, plus escaped for HTML / Markdown).
 */
export function describeForecast(report: Report, name: (value: string) => string): string {
  const fc = report.forecast;
  const last = fc.points[fc.points.length - 1];
  if (!last) return `${fc.verdict}: no layers on the main path to forecast`;
  const tail = `reaches ×${formatNumber(last.cumulative)} after ${fc.points.length} layer${fc.points.length === 1 ? '' : 's'}`;
  if (fc.startsAt === null || fc.verdict === 'stable' || fc.verdict === 'unknown') return `${fc.verdict}: the activation variance ${tail}`;
  const start = fc.points[fc.startsAt];
  const layer = start ? report.layers.find((l) => l.id === start.layerId) : undefined;
  const where = layer ? ` (layer ${name(layer.node)})` : '';
  return `${fc.verdict}: the activation variance leaves the stable band at depth ${start?.depth ?? fc.startsAt}${where} and ${tail}`;
}

/** Smallest, largest and last cumulative variance gain of the forecast (null when empty). */
export function forecastRange(report: Report): { min: number | null; max: number | null; last: number | null } {
  let min: number | null = null;
  let max: number | null = null;
  for (const p of report.forecast.points) {
    if (!Number.isFinite(p.cumulative)) continue;
    min = min === null ? p.cumulative : Math.min(min, p.cumulative);
    max = max === null ? p.cumulative : Math.max(max, p.cumulative);
  }
  const lastPoint = report.forecast.points[report.forecast.points.length - 1];
  return { min, max, last: lastPoint?.cumulative ?? null };
}
