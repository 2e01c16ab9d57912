// The detail of one layer: fan formula with the actual numbers, recommendation, statistics, the
// histogram against the recommended density, per-channel spread, dead / identical units, and the
// reasoning of each finding.
import type { Finding, LayerReport } from '../../src/core/report/reportModel';
import { clear, displayText, h, icon } from '../dom';
import { int, num, pct, shape } from '../format';
import { ratioClass, severityIcon, sortFindings } from '../layerModel';
import { Chart } from './charts';
import { drawHistogram } from './histogramChart';

type Row = readonly [string, string | Node];

export function kv(rows: readonly Row[], cls = 'kv'): HTMLElement {
  const dl = h('dl', { class: cls });
  for (const [k, v] of rows) dl.append(h('dt', null, k), h('dd', null, v));
  return dl;
}

export function findingItem(f: Finding, onClick?: () => void, count = 1): HTMLElement {
  const sev = f.intentional ? 'info' : f.severity;
  const data = f.data ? Object.entries(f.data).map(([k, v]) => `${displayText(k, 40)}=${Array.isArray(v) ? `[${v.slice(0, 12).map((x) => (typeof x === 'number' ? num(x) : displayText(String(x), 60))).join(', ')}${v.length > 12 ? ', …' : ''}]` : typeof v === 'number' ? num(v) : displayText(String(v), 80)}`).join('  ') : '';
  const item = h('li', { class: `finding sev-${sev}`, 'data-code': f.code },
    icon(severityIcon(sev)),
    h('span', { class: 'finding-code' }, f.code),
    f.intentional ? h('span', { class: 'tag' }, 'deliberate') : null,
    h('span', { class: 'finding-msg' }, count > 1 ? h('span', { class: 'finding-count' }, `×${count} `) : null, count > 1 ? 'first: ' : null, displayText(f.message, 2000)),
    data && count === 1 ? h('div', { class: 'finding-data' }, data) : null);
  if (onClick) {
    item.classList.add('clickable');
    item.tabIndex = 0;
    item.addEventListener('click', onClick);
    item.addEventListener('keydown', (e) => { if (e.key === 'Enter') onClick(); });
  }
  return item;
}

function listPreview(xs: readonly number[], max = 32): string {
  return xs.length === 0 ? 'none' : `${xs.slice(0, max).join(', ')}${xs.length > max ? `, … (${xs.length})` : ''}`;
}

export class LayerDetail {
  readonly element = h('section', { class: 'detail', 'aria-label': 'Layer detail', tabindex: -1 });
  private chart: Chart | null = null;

  constructor(private readonly onReveal: (layerId: string) => void) {}

  show(l: LayerReport | null, tolerance: number): void {
    this.chart?.destroy();
    this.chart = null;
    clear(this.element);
    if (!l) {
      this.element.append(h('p', { class: 'muted' }, 'Select a layer (click a row, or use the arrow keys and Enter) to see its detail.'));
      return;
    }
    const reveal = h('vscode-button', { secondary: true, class: 'reveal' }, icon('list-flat'), ' Show inline diagnostics here');
    reveal.addEventListener('click', () => this.onReveal(l.id));
    const rc = ratioClass(l.ratio, tolerance);
    this.element.append(
      h('header', { class: 'detail-head' },
        h('h2', { class: 'detail-title' }, displayText(l.node, 300)),
        h('vscode-badge', null, displayText(l.op, 40)),
        h('span', { class: `verdict verdict-${l.verdict}` }, l.verdict),
        reveal),
      kv([
        ['Weight', h('code', { class: 'name' }, displayText(l.weight, 1000))],
        ['Shape', `${shape(l.shape)} ${l.dtype}`],
        ['Role', displayText(l.role, 60)],
        ...(l.via.length ? [['Via', l.via.map((v) => displayText(v, 120)).join(' → ')] as Row] : []),
      ]),
      h('div', { class: 'detail-grid' },
        h('div', { class: 'card' },
          h('h3', null, 'Fan'),
          h('pre', { class: 'formula' }, displayText(l.fanRule, 1000)),
          kv([
            ['fan_in', int(l.fanIn)],
            ['fan_out', int(l.fanOut)],
            ['Convention', l.fanConvention],
            ...(l.fanAlternatives ? [['PyTorch', l.fanAlternatives.pytorch ? `${int(l.fanAlternatives.pytorch.fanIn)} / ${int(l.fanAlternatives.pytorch.fanOut)}` : '—'] as Row,
              ['Dataflow', l.fanAlternatives.dataflow ? `${int(l.fanAlternatives.dataflow.fanIn)} / ${int(l.fanAlternatives.dataflow.fanOut)}` : '—'] as Row] : []),
          ])),
        h('div', { class: 'card' },
          h('h3', null, 'Recommendation'),
          kv([
            ['Activation', `${displayText(l.activation, 60)}${l.activationPath.length ? ` (via ${l.activationPath.map((p) => displayText(p, 60)).join(' → ')})` : ''}`],
            ['Scheme', `${l.recommended.scheme ?? '—'} (gain ${num(l.recommended.gain)})`],
            ['Why', displayText(l.recommended.reason, 400)],
            ['Recommended std', num(l.recommended.std)],
            ['Xavier std / bound', l.recommended.xavier ? `${num(l.recommended.xavier.std)} / ±${num(l.recommended.xavier.bound)}` : '—'],
            ['He std / bound', l.recommended.he ? `${num(l.recommended.he.std)} / ±${num(l.recommended.he.bound)} (fan_out ${num(l.recommended.he.fanOutStd)})` : '—'],
            ['LeCun std', l.recommended.lecun ? num(l.recommended.lecun.std) : '—'],
            ['Measured std', num(l.stats.std)],
            ['Ratio', h('span', { class: `ratio ratio-${rc}` }, l.ratio == null ? '—' : `${num(l.ratio, 3)}×`)],
            ['Matched scheme', l.matchedScheme ? `${displayText(l.matchedScheme.label, 80)} (ratio ${num(l.matchedScheme.ratio, 3)}, score ${num(l.matchedScheme.score, 2)})` : '—'],
            ...(l.schemeCandidates.length > 1 ? [['Candidates', l.schemeCandidates.slice(0, 5).map((c) => `${displayText(c.label, 60)} ${num(c.score, 2)}`).join(' · ')] as Row] : []),
          ])),
        h('div', { class: 'card' },
          h('h3', null, 'Statistics'),
          kv([
            ['Elements', `${int(l.stats.count)}${l.stats.sampled ? ' (sampled)' : ''}`],
            ['Mean', num(l.stats.mean)],
            ['Std', num(l.stats.std)],
            ['Min / max', `${num(l.stats.min)} / ${num(l.stats.max)}`],
            ['Zeros', `${int(l.stats.zeroCount)} (${pct(l.stats.zeroFraction)})`],
            ['NaN / Inf', `${int(l.stats.nanCount)} / ${int(l.stats.infCount)}`],
            ['Excess kurtosis', num(l.stats.excessKurtosis, 3)],
            ['Normalized after', l.normalizedAfter ? 'yes' : 'no'],
          ])),
        this.channelsCard(l)),
    );
    const histBox = h('div', { class: 'chart hist-chart', 'aria-label': 'Weight histogram' });
    this.element.append(h('div', { class: 'card wide' }, h('h3', null, 'Histogram and recommended density'), histBox));
    const findings = sortFindings(l.findings);
    this.element.append(h('div', { class: 'card wide' }, h('h3', null, `Findings (${findings.length})`),
      findings.length ? h('ul', { class: 'findings' }, ...findings.map((f) => findingItem(f))) : h('p', { class: 'muted' }, 'No findings: this layer looks as expected.')));
    this.chart = new Chart(histBox, 200);
    if (!drawHistogram(this.chart, l)) histBox.append(h('p', { class: 'muted' }, 'No histogram for this tensor.'));
  }

  private channelsCard(l: LayerReport): HTMLElement {
    const c = l.channels;
    if (!c) return h('div', { class: 'card' }, h('h3', null, 'Channels'), h('p', { class: 'muted' }, 'No per-channel statistics.'));
    const spread = c.stdMin != null && c.stdMax != null && c.stdMin > 0 ? `${num(c.stdMax / c.stdMin, 3)}×` : '—';
    return h('div', { class: 'card' }, h('h3', null, 'Channels'), kv([
      ['Axis / count', `${c.axis} / ${int(c.count)}`],
      ['Std min / median / max', `${num(c.stdMin)} / ${num(c.stdMedian)} / ${num(c.stdMax)}`],
      ['Spread (max÷min)', spread],
      ['Dead units', h('span', { class: c.dead.length ? 'sev-warning' : '' }, `${c.dead.length}: ${listPreview(c.dead)}`)],
      ['Identical groups', c.identical.length ? c.identical.slice(0, 8).map((g) => `{${listPreview(g, 8)}}`).join(' ') + (c.identical.length > 8 ? ` … (${c.identical.length})` : '') : 'none'],
    ]));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}
