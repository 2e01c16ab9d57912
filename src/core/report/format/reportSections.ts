import type { Report } from '../reportModel';
import type { FineTuneReport } from '../../finetune/fineTuneModel';
import type { ProbeReport } from '../../probe/probeTypes';
import { formatFineTuneHtml, formatFineTuneMarkdown, formatFineTuneText } from '../../finetune/formatFineTune';
import { formatProbeHtml, formatProbeMarkdown, formatProbeText } from '../../probe/formatProbe';

/**
 * Optional report sections owned by other features (fine-tune, probe), rendered after the core
 * sections when the report carries them. A feature adds one entry; each renderer receives its
 * own section and must neutralize / escape model strings itself (displayString, escapeHtml,
 * escapeMarkdown). HTML renderers return a fragment for inside <body>: no scripts, no links to
 * external resources (the report's CSP blocks them anyway).
 */
export interface ReportSection {
  readonly key: 'fineTune' | 'probe';
  readonly text: (section: never) => string;
  readonly markdown: (section: never) => string;
  readonly html: (section: never) => string;
}

function section<T>(key: ReportSection['key'], r: { text(s: T): string; markdown(s: T): string; html(s: T): string }): ReportSection {
  return { key, text: r.text as (s: never) => string, markdown: r.markdown as (s: never) => string, html: r.html as (s: never) => string };
}

export const REPORT_SECTIONS: readonly ReportSection[] = [
  section<FineTuneReport>('fineTune', { text: formatFineTuneText, markdown: formatFineTuneMarkdown, html: formatFineTuneHtml }),
  section<ProbeReport>('probe', { text: formatProbeText, markdown: formatProbeMarkdown, html: formatProbeHtml }),
];

/** The extra sections present in `report`, rendered for `kind`, in table order. */
export function renderSections(report: Report, kind: 'text' | 'markdown' | 'html'): string[] {
  const out: string[] = [];
  for (const s of REPORT_SECTIONS) {
    const value = report[s.key];
    if (value === undefined || value === null) continue;
    out.push(s[kind](value as never));
  }
  return out;
}
