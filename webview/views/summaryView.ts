// Summary: identity of the model, size, overall verdict, findings by severity and the most
// important findings first (each leads to its layer).
import type { Finding, Report } from '../../src/core/report/reportModel';
import { displayText, h, icon } from '../dom';
import { bytes, compact, int } from '../format';
import type { LayerIndex } from '../layerModel';
import { SEVERITIES, layerOfFinding, severityIcon, sortFindings } from '../layerModel';
import { findingItem } from './layerDetail';

const TOP_FINDINGS = 6;

export function modelTitle(report: Report): string {
  const base = report.model.path.split(/[\\/]/).pop() ?? '';
  return base || report.model.graphName || 'model';
}

export function severityCounts(findings: readonly Finding[]): Record<string, number> {
  const c: Record<string, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) c[f.intentional ? 'info' : f.severity]!++;
  return c;
}

export function renderSummary(report: Report, ix: LayerIndex, onSelect: (id: string) => void): HTMLElement {
  const m = report.model;
  const opset = m.opsets.map((o) => `${o.domain === '' || o.domain === 'ai.onnx' ? 'ai.onnx' : displayText(o.domain, 40)} ${o.version}`).join(', ');
  const counts = severityCounts(report.findings);
  const top = sortFindings(report.findings.filter((f) => !f.intentional)).slice(0, TOP_FINDINGS);
  const facts = h('div', { class: 'facts' },
    fact('Producer', `${displayText(m.producer.name || '—', 80)}${m.producer.version ? ` ${displayText(m.producer.version, 40)}` : ''}`),
    fact('Opset', opset || '—'),
    fact('IR', String(m.irVersion)),
    fact('Parameters', compact(m.parameterCount), `${int(m.parameterCount)} parameters`),
    fact('Weights', bytes(m.weightBytes)),
    fact('Layers', int(m.counts.layers)),
    fact('Nodes', int(m.counts.nodes)));
  const sev = h('div', { class: 'sev-counts', 'aria-label': 'Findings by severity' },
    ...SEVERITIES.map((s) => h('span', { class: `sev-count sev-${s}`, 'data-severity': s, title: `${counts[s]} ${s}` }, icon(severityIcon(s)), ` ${counts[s]} ${s}`)));
  const list = top.length
    ? h('ul', { class: 'findings top-findings' }, ...top.map((f) => {
      const l = layerOfFinding(ix, f);
      return findingItem(f, l ? () => onSelect(l.id) : undefined);
    }))
    : h('p', { class: 'muted' }, 'No problems found.');
  return h('section', { class: 'summary', 'aria-label': 'Summary' },
    h('div', { class: 'verdict-line' },
      h('span', { class: `verdict-badge verdict-${m.verdict}`, 'data-verdict': m.verdict }, verdictText(m.verdict)),
      h('span', { class: 'verdict-reason' }, displayText(m.verdictReason, 400))),
    facts, sev, list);
}

function verdictText(v: Report['model']['verdict']): string {
  switch (v) {
    case 'fresh': return 'Freshly initialized';
    case 'trained': return 'Trained';
    case 'mixed': return 'Mixed (partly fresh)';
    default: return 'Unknown';
  }
}

function fact(label: string, value: string, title?: string): HTMLElement {
  return h('div', { class: 'fact', title: title ?? null }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
}
