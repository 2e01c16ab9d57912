import { mergeProbe } from '../../core/probe/mergeProbe';
import type { ProbeOptions } from '../../core/probe/probeTypes';
import { displayString } from '../../core/report/format/displayString';
import type { Finding, Report } from '../../core/report/reportModel';
import { ProbeError } from './probeError';
import { runProbe, type ProbeHooks } from './runProbe';

/** One line for a failed probe: the kind, and ORT's own words when it spoke (model strings neutralized). */
export function describeProbeError(modelPath: string, e: unknown): string {
  const what = `"${displayString(modelPath, 200)}"`;
  if (e instanceof ProbeError) return `probe of ${what} failed (${e.kind}): ${displayString(e.message, 800)}`;
  return `probe of ${what} failed: ${displayString(e instanceof Error ? e.message : String(e), 500)}`;
}

/**
 * Probes the model of a finished static report (`analyze --probe`, the VS Code worker): reuses
 * its layers, forecast and tensors, puts the section in `report.probe` and its findings in
 * `report.findings`. A probe that fails does not fail the analysis: it becomes one `probe-failed`
 * warning naming the reason. A cancelled probe still rejects (the caller is stopping).
 */
export async function probeReportStep(report: Report, modelPath: string, options: Partial<ProbeOptions> = {}, hooks: ProbeHooks = {}): Promise<Report> {
  try {
    const probe = await runProbe(modelPath, { ...options, analysis: { layers: report.layers, forecast: report.forecast, tensors: report.tensors, modelVerdict: report.model.verdict } }, hooks);
    return mergeProbe(report, probe);
  } catch (e) {
    if (e instanceof ProbeError && e.kind === 'cancelled') throw e;
    const failed: Finding = {
      code: 'probe-failed',
      severity: 'warning',
      tensor: null,
      node: e instanceof ProbeError && e.node !== undefined ? e.node : null,
      message: describeProbeError(modelPath, e),
      data: e instanceof ProbeError ? { kind: e.kind, op: e.op ?? null } : {},
    };
    return { ...report, findings: [...report.findings, failed] };
  }
}
