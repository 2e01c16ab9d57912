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
  // Most important first, grouped by code (twelve identical "variance-too-low" read as one line):
  // errors and warnings; when there are none, a few of the notes.
  const sorted = sortFindings(report.findings.filter((f) => !f.intentional));
  const serious = sorted.filter((f) => f.severity === 'error' || f.severity === 'warning');
  const groups = new Map<string, Finding[]>();
  for (const f of serious.length ? serious : sorted) {
    const key = `${f.severity}:${f.code}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const top = [...groups.values()].slice(0, serious.length ? TOP_FINDINGS : 3);
  const list = top.length
    ? h('ul', { class: 'findings top-findings' }, ...top.map((g) => {
      const f = g[0]!;
      const l = layerOfFinding(ix, f);
      return findingItem(f, l ? () => onSelect(l.id) : undefined, g.length);
    }))
    : h('p', { class: 'muted' }, 'No problems found.');
  const shown = top.reduce((a, g) => a + g.length, 0);
  const more = sorted.length - shown;
  return h('section', { class: 'summary', 'aria-label': 'Summary' },
    h('div', { class: 'verdict-line' },
      h('span', { class: `verdict-badge verdict-${m.verdict}`, 'data-verdict': m.verdict }, verdictText(m.verdict)),
      h('span', { class: 'verdict-reason' }, displayText(m.verdictReason, 400))),
    facts, sev, serious.length === 0 && top.length ? h('p', { class: 'muted' }, 'No errors or warnings. Notes:') : null, list,
    more > 0 ? h('p', { class: 'muted more' }, `… ${more} more in the Findings tab.`) : null);
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
