import type { Report } from '../report/reportModel';
import type { ProbeReport } from './probeTypes';

/** Finding codes the probe emits (stable, documented in the README's findings section). */
export const PROBE_FINDING_CODES: ReadonlySet<string> = new Set(['activation-explodes', 'activation-vanishes', 'layer-gain-mismatch', 'probe-failed']);

/**
 * The report with the probe section attached and the probe's findings in the top-level
 * `findings` (replacing those of an earlier probe, so probing twice does not duplicate them).
 */
export function mergeProbe(report: Report, probe: ProbeReport): Report {
  return { ...report, probe, findings: [...report.findings.filter((f) => !PROBE_FINDING_CODES.has(f.code)), ...probe.findings] };
}
