import type { Finding, LayerReport, Report } from '../core/report/reportModel';
import type { FindingPolicy } from './config';

/** `*` = any run of characters, `?` = one character; everything else literal (tensor names have dots, slashes). */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Applies the user's severity overrides and ignore patterns to a report's findings (top-level and
 * per layer). Kept out of the core because it is editor policy: the CLI has its own `--fail-on`.
 * Returns the same object when the policy changes nothing.
 */
export function applyFindingPolicy(report: Report, policy: FindingPolicy): Report {
  const patterns = policy.ignore.map(globToRegExp);
  const hasOverrides = Object.keys(policy.severityOverrides).length > 0;
  if (patterns.length === 0 && !hasOverrides) return report;
  const map = (findings: readonly Finding[]): Finding[] => {
    const out: Finding[] = [];
    for (const f of findings) {
      if (f.tensor !== null && patterns.some((re) => re.test(f.tensor as string))) continue;
      const override = Object.hasOwn(policy.severityOverrides, f.code) ? policy.severityOverrides[f.code] : undefined;
      if (override === 'off') continue;
      out.push(override ? { ...f, severity: override } : f);
    }
    return out;
  };
  const layers: LayerReport[] = report.layers.map((l) => ({ ...l, findings: map(l.findings) }));
  return { ...report, layers, findings: map(report.findings) };
}
