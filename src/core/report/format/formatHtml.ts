import type { Finding, Report, Severity } from '../reportModel';
import { escapeHtml } from '../../text/escapeHtml';
import { displayString } from './displayString';
import { formatBytes, formatCount, formatNumber } from './formatNumber';
import { LAYER_COLUMNS, layerCells } from './layerCells';
import { TENSOR_COLUMNS, tensorCells, valueInfoText } from './tensorCells';
import { renderSections } from './reportSections';
import { describeForecast, forecastRange } from './describeForecast';
import { findingDocUrl } from '../findingDocs';
import { SEVERITIES, sortFindings, summarizeSeverities } from './severity';

/**
 * The Content-Security-Policy of the HTML report: nothing may load or run; only the inline
 * <style> applies. Even if an escaping bug let markup through, no script would execute.
 */
export const HTML_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'";

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--err:#cf222e;--warn:#9a6700;--info:#0969da;--hint:#59636e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--err:#ff7b72;--warn:#d29922;--info:#58a6ff;--hint:#9198a1}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:2rem;max-width:100rem}
h1{font-size:1.4rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid var(--line)}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}td.name{min-width:9rem;max-width:26rem;overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:.9em}.scroll{overflow-x:auto}
.sev{font-weight:600;text-transform:uppercase;font-size:.8rem}.error{color:var(--err)}.warning{color:var(--warn)}.info{color:var(--info)}.hint{color:var(--hint)}
tr.row-error td:first-child{box-shadow:inset 3px 0 var(--err)}tr.row-warning td:first-child{box-shadow:inset 3px 0 var(--warn)}
.muted{color:var(--muted)}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
summary h2{display:inline-block}svg{max-width:100%;height:auto}svg .band{fill:var(--line);opacity:.5}svg polyline{fill:none;stroke:var(--info);stroke-width:2}
`;

/** A model string for HTML: neutralized, elided, escaped, and isolated from surrounding text direction. */
function h(value: string, max = 80): string {
  return `<bdi>${escapeHtml(displayString(value, max))}</bdi>`;
}

/**
 * The report as one self-contained HTML file: inline CSS, no scripts, no external resources, a
 * CSP that forbids both, and every model string escaped (text and attributes) inside <bdi>.
 */
export function formatHtml(report: Report): string {
  const m = report.model;
  const title = `ONNX initialization report: ${displayString(m.path, 120)}`;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`);
  out.push('<meta name="referrer" content="no-referrer">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  out.push(`<h1>ONNX initialization report: ${h(m.path, 120)}</h1>`);

  out.push('<dl>');
  const dl = (k: string, v: string): void => void out.push(`<dt>${k}</dt><dd>${v}</dd>`);
  dl('producer', m.producer.name ? `${h(m.producer.name)} ${h(m.producer.version, 40)}` : '<span class="muted">unknown</span>');
  dl('IR / opsets', `${m.irVersion} / ${m.opsets.map((o) => `${h(o.domain || 'ai.onnx', 40)} ${o.version}`).join(', ') || '—'}`);
  dl('graph', h(m.graphName));
  dl('inputs', m.inputs.map((v) => `<bdi>${escapeHtml(valueInfoText(v))}</bdi>`).join('<br>') || '—');
  dl('outputs', m.outputs.map((v) => `<bdi>${escapeHtml(valueInfoText(v))}</bdi>`).join('<br>') || '—');
  dl('nodes / initializers / layers', `${formatCount(m.counts.nodes)} / ${formatCount(m.counts.initializers)} / ${formatCount(m.counts.layers)}`);
  dl('parameters', `${formatCount(m.parameterCount)} (${formatBytes(m.weightBytes)})`);
  dl('verdict', `<strong>${escapeHtml(m.verdict)}</strong>${m.verdictReason ? ` — ${h(m.verdictReason, 300)}` : ''}`);
  dl('findings', escapeHtml(summarizeSeverities(report.findings)));
  dl('tool', `${escapeHtml(report.tool.name)} ${h(report.tool.version, 20)}, report schema ${report.schemaVersion}`);
  out.push('</dl>');

  out.push('<h2>Findings</h2>');
  if (report.findings.length === 0) out.push('<p>No findings.</p>');
  const sorted = sortFindings(report.findings);
  const serious = sorted.filter((f) => f.severity === 'error' || f.severity === 'warning');
  const context = sorted.filter((f) => f.severity === 'info' || f.severity === 'hint');
  if (serious.length) out.push(findingsTable(serious));
  if (context.length) {
    // Context and deliberate patterns can number in the hundreds; collapsed (no script needed).
    out.push(`<details${serious.length ? '' : ' open'}><summary>${context.length} info and hint finding${context.length === 1 ? '' : 's'}</summary>`, findingsTable(context), '</details>');
  }

  out.push(`<h2>Layers (${report.layers.length})</h2>`);
  if (report.layers.length === 0) {
    out.push('<p>No weight layers found.</p>');
  } else {
    out.push(`<div class="scroll"><table><thead><tr>${LAYER_COLUMNS.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')}</tr></thead><tbody>`);
    for (const layer of report.layers) {
      const cells = layerCells(layer, 80);
      const worst = SEVERITIES.find((s) => layer.findings.some((f) => f.severity === s && !f.intentional));
      const cls = worst === 'error' || worst === 'warning' ? ` class="row-${worst}"` : '';
      const td = LAYER_COLUMNS.map((c) => {
        const kind = c.key === 'node' || c.key === 'weight' ? ' class="name"' : ['index', 'fanIn', 'fanOut', 'std', 'xavier', 'he', 'ratio'].includes(c.key) ? ' class="num"' : '';
        return `<td${kind}><bdi>${escapeHtml(cells[c.key])}</bdi></td>`;
      });
      out.push(`<tr${cls}>${td.join('')}</tr>`);
    }
    out.push('</tbody></table></div>');
  }

  if (report.tensors.length) {
    // Collapsed by default (no script needed): large models have thousands of them.
    out.push(`<details${report.tensors.some((t) => t.skipped) ? ' open' : ''}><summary><h2>Other tensors (${report.tensors.length})</h2></summary>`);
    out.push(`<div class="scroll"><table><thead><tr>${TENSOR_COLUMNS.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')}</tr></thead><tbody>`);
    for (const t of report.tensors) {
      const cells = tensorCells(t);
      const td = TENSOR_COLUMNS.map((c) => `<td${c.key === 'name' ? ' class="name"' : ['mean', 'std', 'zeros'].includes(c.key) ? ' class="num"' : ''}><bdi>${escapeHtml(cells[c.key])}</bdi></td>`);
      out.push(`<tr${t.skipped ? ' class="row-warning"' : ''}>${td.join('')}</tr>`);
    }
    out.push('</tbody></table></div></details>');
  }

  out.push(...renderSections(report, 'html'));
  out.push('<h2>Forecast</h2>');
  out.push(`<p>${escapeHtml(describeForecast(report, (s) => displayString(s, 60)))}</p>`);
  const svg = forecastSvg(report);
  if (svg) out.push(svg);
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

function findingsTable(findings: readonly Finding[]): string {
  const out = ['<div class="scroll"><table><thead><tr><th>severity</th><th>code</th><th>tensor</th><th>node</th><th>message</th></tr></thead><tbody>'];
  for (const f of findings) {
    const sev = cssSeverity(f.severity);
    const code = `<a href="${escapeHtml(findingDocUrl(f.code))}" rel="noreferrer">${h(f.code, 60)}</a>${f.intentional ? ' <span class="muted">(intentional)</span>' : ''}`;
    out.push(
      `<tr class="row-${sev}"><td class="sev ${sev}">${sev}</td><td>${code}</td><td class="name">${f.tensor === null ? '—' : h(f.tensor, 120)}</td>` +
        `<td class="name">${f.node === null ? '—' : h(f.node, 120)}</td><td>${h(f.message, 600)}</td></tr>`,
    );
  }
  out.push('</tbody></table></div>');
  return out.join('\n');
}

function cssSeverity(s: Severity): Severity {
  return SEVERITIES.includes(s) ? s : 'info';
}

/** log10 of the cumulative variance gain per depth, with the ×1 line; numbers only, no model strings. */
function forecastSvg(report: Report): string | null {
  const pts = report.forecast.points.filter((p) => Number.isFinite(p.cumulative) && p.cumulative > 0);
  if (pts.length < 2) return null;
  const r = forecastRange(report);
  const logs = pts.map((p) => Math.log10(p.cumulative));
  let lo = -1;
  let hi = 1;
  for (const v of logs) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const W = 600;
  const H = 160;
  const x = (i: number): string => ((i / (pts.length - 1)) * (W - 20) + 10).toFixed(1);
  const y = (v: number): string => (H - 10 - ((v - lo) / span) * (H - 20)).toFixed(1);
  const line = logs.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="cumulative activation variance gain by depth (log scale)">` +
    `<rect class="band" x="10" y="${y(1)}" width="${W - 20}" height="${(Number(y(-1)) - Number(y(1))).toFixed(1)}"/>` +
    `<polyline points="${line}"/></svg>` +
    `<p class="muted">log₁₀ cumulative variance gain per layer (shaded: ×0.1 … ×10; range ${formatNumber(r.min)} … ${formatNumber(r.max)})</p>`
  );
}
