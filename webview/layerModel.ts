// Derived per-layer values shared by the table, detail and charts (computed once per report).
import type { Finding, LayerReport, Report, Severity } from '../src/core/report/reportModel';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** Worst severity among a layer's findings (deliberate patterns count as info), null if none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let best: Severity | null = null;
  for (const f of findings) {
    const s: Severity = f.intentional ? 'info' : f.severity;
    if (best == null || RANK[s] < RANK[best]) best = s;
  }
  return best;
}

export function severityIcon(s: Severity | null): string {
  switch (s) {
    case 'error': return 'error';
    case 'warning': return 'warning';
    case 'info': return 'info';
    case 'hint': return 'lightbulb';
    default: return 'pass';
  }
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || Number(a.intentional ?? false) - Number(b.intentional ?? false));
}

/**
 * The band the depth chart shades and the table colours by: ratio ∈ [1/t, t] for the analysis's
 * tolerance factor t (a value below 1 is a relative deviation, read as 1 + t, like the engine's
 * resolveOptions).
 */
export function toleranceBand(tolerance: number): [number, number] {
  const t = !(tolerance > 0) ? 2 : tolerance < 1 ? 1 + tolerance : tolerance;
  return [1 / t, t];
}

export type RatioClass = 'ok' | 'off' | 'bad' | 'none';

/** Colour class of a std ratio: inside the band [1/t, t], inside [1/t², t²] (the engine's warning range), or further (error). */
export function ratioClass(ratio: number | null, tolerance: number): RatioClass {
  if (ratio == null || !(ratio > 0)) return 'none';
  const [lo, hi] = toleranceBand(tolerance);
  if (ratio >= lo && ratio <= hi) return 'ok';
  if (ratio >= lo * lo && ratio <= hi * hi) return 'off';
  return 'bad';
}

export interface LayerIndex {
  readonly byId: ReadonlyMap<string, LayerReport>;
  readonly ops: readonly string[];
  readonly worst: ReadonlyMap<string, Severity | null>;
  readonly byNode: ReadonlyMap<string, LayerReport>;
  readonly byWeight: ReadonlyMap<string, LayerReport>;
}

export function indexLayers(report: Report): LayerIndex {
  const byId = new Map<string, LayerReport>();
  const worst = new Map<string, Severity | null>();
  const ops = new Set<string>();
  const byNode = new Map<string, LayerReport>();
  const byWeight = new Map<string, LayerReport>();
  for (const l of report.layers) {
    byId.set(l.id, l);
    if (!byNode.has(l.node)) byNode.set(l.node, l);
    if (!byWeight.has(l.weight)) byWeight.set(l.weight, l);
    worst.set(l.id, worstSeverity(l.findings));
    ops.add(l.op);
  }
  return { byId, worst, ops: [...ops].sort(), byNode, byWeight };
}

/** The layer a top-level finding is about (by node, then by tensor), null for model-level findings. */
export function layerOfFinding(index: LayerIndex, f: Finding): LayerReport | null {
  return (f.node != null ? index.byNode.get(f.node) : undefined) ?? (f.tensor != null ? index.byWeight.get(f.tensor) : undefined) ?? null;
}
