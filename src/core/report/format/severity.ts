import type { Finding, Severity } from '../reportModel';

/** Most severe first; the order every report lists findings in. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

const RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, info: 1, hint: 0 };

/** True if `severity` is `threshold` or worse. */
export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** Findings sorted most severe first, keeping the engine's order within one severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[b.f.severity] - RANK[a.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

/** Count per severity (every severity present, possibly 0). */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/** `2 errors, 1 warning, 3 info` (zero counts left out; `no findings` when empty). */
export function summarizeSeverities(findings: readonly Finding[]): string {
  const c = countBySeverity(findings);
  const parts: string[] = [];
  if (c.error) parts.push(`${c.error} error${c.error === 1 ? '' : 's'}`);
  if (c.warning) parts.push(`${c.warning} warning${c.warning === 1 ? '' : 's'}`);
  if (c.info) parts.push(`${c.info} info`);
  if (c.hint) parts.push(`${c.hint} hint${c.hint === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'no findings';
}
