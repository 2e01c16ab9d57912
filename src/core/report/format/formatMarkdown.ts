import type { Report } from '../reportModel';
import { escapeMarkdown } from '../../text/escapeMarkdown';
import { displayString } from './displayString';
import { formatBytes, formatCount, formatNumber } from './formatNumber';
import { LAYER_COLUMNS, layerCells } from './layerCells';
import { TENSOR_COLUMNS, tensorCells, valueInfoText } from './tensorCells';
import { renderSections } from './reportSections';
import { describeForecast, forecastRange } from './describeForecast';
import { findingDocUrl } from '../findingDocs';
import { sortFindings, summarizeSeverities } from './severity';

/** A model string for a Markdown cell: neutralized, elided, then Markdown- and HTML-escaped. */
function md(value: string, max = 80): string {
  return escapeMarkdown(displayString(value, max));
}

/**
 * The report as GitHub-flavoured Markdown (for PR comments and CI summaries). Every model string
 * is neutralized and escaped for Markdown and HTML, so names cannot add links, images, raw HTML,
 * code spans or break the tables. Only our own text uses Markdown syntax.
 */
export function formatMarkdown(report: Report): string {
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
    for (const f of sortFindings(report.findings)) {
      const code = `[${md(f.code, 60)}](${findingDocUrl(f.code)})${f.intentional ? ' (intentional)' : ''}`;
      out.push(`| ${f.severity} | ${code} | ${f.tensor === null ? '—' : md(f.tensor, 60)} | ${f.node === null ? '—' : md(f.node, 60)} | ${md(f.message, 400)} |`);
    }
    out.push('');
  }

  out.push(`## Layers (${report.layers.length})`, '');
  if (report.layers.length === 0) {
    out.push('No weight layers found.', '');
  } else {
    out.push(`| ${LAYER_COLUMNS.map((c) => c.title).join(' | ')} |`, `|${LAYER_COLUMNS.map(() => '---').join('|')}|`);
    for (const layer of report.layers) {
      const cells = layerCells(layer, 60);
      out.push(`| ${LAYER_COLUMNS.map((c) => escapeMarkdown(cells[c.key])).join(' | ')} |`);
    }
    out.push('');
  }

  if (report.tensors.length) {
    out.push(`## Other tensors (${report.tensors.length})`, '');
    out.push(`| ${TENSOR_COLUMNS.map((c) => c.title).join(' | ')} |`, `|${TENSOR_COLUMNS.map(() => '---').join('|')}|`);
    for (const t of report.tensors) {
      const cells = tensorCells(t);
      out.push(`| ${TENSOR_COLUMNS.map((c) => escapeMarkdown(cells[c.key])).join(' | ')} |`);
    }
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
