import type { Report } from '../reportModel';
import { escapeMarkdown } from '../../text/escapeMarkdown';
import { displayString } from './displayString';
import { formatBytes, formatCount, formatNumber } from './formatNumber';
import { LAYER_COLUMNS, layerCells } from './layerCells';
import { TENSOR_COLUMNS, tensorCells, valueInfoText } from './tensorCells';
import { limitRows } from './limitRows';
import { renderSections } from './reportSections';
import { describeForecast, forecastRange } from './describeForecast';
import { findingDocUrl } from '../findingDocs';
import { sortFindings, summarizeSeverities } from './severity';

/** Options of {@link formatMarkdown}. */
export interface MarkdownFormatOptions {
  /** Most layer rows shown (default 300). */
  readonly maxLayerRows?: number;
  /** Most finding rows shown, most severe first (default 300). */
  readonly maxFindingRows?: number;
  /** Most other-tensor rows shown (default 100). */
  readonly maxTensorRows?: number;
}

/** A model string for a Markdown cell: neutralized, elided, then Markdown- and HTML-escaped. */
function md(value: string, max = 80): string {
  return escapeMarkdown(displayString(value, max));
}

/**
 * The report as GitHub-flavoured Markdown (for PR comments and CI summaries). Every model string
 * is neutralized and escaped for Markdown and HTML, so names cannot add links, images, raw HTML,
 * code spans or break the tables. Only our own text uses Markdown syntax. Big models keep to a
 * size GitHub accepts: layers with warnings / errors and skipped tensors come first, the rest is
 * counted (the JSON and HTML reports have every row).
 */
export function formatMarkdown(report: Report, options: MarkdownFormatOptions = {}): string {
  const maxLayers = options.maxLayerRows ?? 300;
  const maxTensors = options.maxTensorRows ?? 100;
  const maxFindings = options.maxFindingRows ?? 300;
  const m = report.model;
  const out: string[] = [];
  out.push(`# ONNX initialization report: ${md(m.path, 120)}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| producer | ${md(`${m.producer.name} ${m.producer.version}`.trim() || 'unknown')} |`);
  out.push(`| IR / opsets | ${m.irVersion} / ${m.opsets.map((o) => `${md(o.domain || 'ai.onnx', 40)} ${o.version}`).join(', ') || '—'} |`);
  out.push(`| graph | ${md(m.graphName) || '—'} |`);
  out.push(`| inputs | ${m.inputs.map((v) => escapeMarkdown(valueInfoText(v))).join('<br>') || '—'} |`);
  out.push(`| outputs | ${m.outputs.map((v) => escapeMarkdown(valueInfoText(v))).join('<br>') || '—'} |`);
  out.push(`| nodes / initializers / layers | ${formatCount(m.counts.nodes)} / ${formatCount(m.counts.initializers)} / ${formatCount(m.counts.layers)} |`);
  out.push(`| parameters | ${formatCount(m.parameterCount)} (${formatBytes(m.weightBytes)}) |`);
  out.push(`| verdict | **${m.verdict}**${m.verdictReason ? ` — ${md(m.verdictReason, 300)}` : ''} |`);
  out.push(`| findings | ${summarizeSeverities(report.findings)} |`, '');

  out.push(`## Findings`, '');
  if (report.findings.length === 0) {
    out.push('No findings.', '');
  } else {
    out.push('| severity | code | tensor | node | message |', '|---|---|---|---|---|');
    const sorted = sortFindings(report.findings);
    for (const f of sorted.slice(0, maxFindings)) {
      const code = `[${md(f.code, 60)}](${findingDocUrl(f.code)})${f.intentional ? ' (intentional)' : ''}`;
      out.push(`| ${f.severity} | ${code} | ${f.tensor === null ? '—' : md(f.tensor, 60)} | ${f.node === null ? '—' : md(f.node, 60)} | ${md(f.message, 400)} |`);
    }
    if (sorted.length > maxFindings) out.push('', `${sorted.length - maxFindings} more findings (the least severe) are left out here; the JSON and SARIF reports have them all.`);
    out.push('');
  }

  out.push(`## Layers (${report.layers.length})`, '');
  if (report.layers.length === 0) {
    out.push('No weight layers found.', '');
  } else {
    out.push(`| ${LAYER_COLUMNS.map((c) => c.title).join(' | ')} |`, `|${LAYER_COLUMNS.map(() => '---').join('|')}|`);
    const shown = limitRows(report.layers, maxLayers, (l) => l.findings.some((f) => !f.intentional && (f.severity === 'error' || f.severity === 'warning')));
    for (const layer of shown.rows) {
      const cells = layerCells(layer, 60);
      out.push(`| ${LAYER_COLUMNS.map((c) => escapeMarkdown(cells[c.key])).join(' | ')} |`);
    }
    if (shown.omitted) out.push('', `${shown.omitted} more layers are left out here (layers with warnings or errors are listed first; the JSON and HTML reports have them all).`);
    out.push('');
  }

  if (report.tensors.length) {
    out.push(`## Other tensors (${report.tensors.length})`, '');
    out.push(`| ${TENSOR_COLUMNS.map((c) => c.title).join(' | ')} |`, `|${TENSOR_COLUMNS.map(() => '---').join('|')}|`);
    const shown = limitRows(report.tensors, maxTensors, (t) => t.skipped !== null);
    for (const t of shown.rows) {
      const cells = tensorCells(t);
      out.push(`| ${TENSOR_COLUMNS.map((c) => escapeMarkdown(cells[c.key])).join(' | ')} |`);
    }
    if (shown.omitted) out.push('', `${shown.omitted} more tensors are left out here (skipped ones are listed first; the JSON and HTML reports have them all).`);
    out.push('');
  }

  for (const extra of renderSections(report, 'markdown')) out.push(extra.trimEnd(), '');
  out.push('## Forecast', '');
  out.push(escapeMarkdown(describeForecast(report, (s) => displayString(s, 60))));
  const r = forecastRange(report);
  if (r.last !== null) out.push('', `Cumulative variance gain: min ${formatNumber(r.min)}, max ${formatNumber(r.max)}, last ${formatNumber(r.last)}.`);
  out.push('', `<sub>${escapeMarkdown(`${report.tool.name} ${displayString(report.tool.version, 20)}, report schema ${report.schemaVersion}`)}</sub>`, '');
  return out.join('\n');
}
