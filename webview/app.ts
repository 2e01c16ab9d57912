// The report view: owns the current report + settings, wires the views together and talks to
// the host through HostApi. Tabs other than the visible one render lazily (first paint of a
// 10,000-layer report draws only the summary and the visible table rows).
import type { LayerReport, Report } from '../src/core/report/reportModel';
import type { ExportFormat, HostToWebview, ReportSettings, RequestMethod, RequestParams, RequestResult, WebviewStrings } from '../src/shared/protocol';
import { assertNever } from '../src/shared/protocol';
import { clear, displayText, h, icon, valueOf } from './dom';
import type { HostApi } from './hostApi';
import type { LayerIndex } from './layerModel';
import { SEVERITIES, indexLayers, layerOfFinding, sortFindings } from './layerModel';
import { DepthCharts } from './views/depthCharts';
import { FineTuneView } from './views/fineTuneView';
import { LayerDetail, findingItem } from './views/layerDetail';
import { LayerTable, filterAndSort } from './views/layerTable';
import { modelTitle, renderSummary } from './views/summaryView';

const TABS = ['layers', 'depth', 'finetune', 'findings'] as const;
type Tab = (typeof TABS)[number];
const MAX_LISTED_FINDINGS = 1000;

type HostMessage = Exclude<HostToWebview, { type: 'rpc/result' }>;

// Until the host sends settings (an update without init): the defaults of the settings schema.
const FALLBACK_SETTINGS: ReportSettings = { fineTune: { datasetSize: 'small', domain: 'similar', numClasses: null, inputChannels: null }, varianceTolerance: 2 };

export class App {
  private api!: HostApi;
  private report: Report | null = null;
  private settings: ReportSettings | null = null;
  private strings: WebviewStrings = {};
  private ix: LayerIndex | null = null;
  private partial = false;
  private readonly dirty = new Set<Tab>();

  private readonly head = h('header', { class: 'top' });
  private readonly summary = h('div', { class: 'summary-slot' });
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly tabs = h('vscode-tabs', { class: 'tabs' });
  private readonly panels: Record<Tab, HTMLElement>;
  private readonly table: LayerTable;
  private readonly detail: LayerDetail;
  private readonly depth: DepthCharts;
  private readonly fineTune: FineTuneView;
  private readonly filterBar = h('div', { class: 'controls filter-bar' });
  private readonly countLabel = h('span', { class: 'muted row-count' });

  constructor(private readonly root: HTMLElement) {
    this.table = new LayerTable({
      onSelect: (id) => this.select(id),
      onOpen: (id) => this.open(id, true),
      onScroll: (top) => this.api.setState({ scrollTop: top }),
      onSort: (key, dir) => { this.api.setState({ sortKey: key, sortDir: dir }); this.refreshTable(); },
    });
    this.detail = new LayerDetail((layerId) => this.api.post({ type: 'layer/reveal', layerId }));
    this.depth = new DepthCharts((id) => this.goToLayer(id));
    this.fineTune = new FineTuneView({
      onSelect: (id) => this.goToLayer(id),
      onSettings: (s) => void this.updateFineTune(s),
      onCopySnippet: (text) => void this.rpc('snippet/copy', { text }, (r) => (r.copied ? 'PyTorch snippet copied to the clipboard.' : 'Could not copy the snippet.')),
      onExportBackbone: (cutTensor) => void this.rpc('export/backbone', { cutTensor }, (r) => (r.saved ? `Backbone written to ${displayText(r.path ?? '', 300)}.` : 'Export cancelled.')),
    });
    this.panels = {
      layers: h('vscode-tab-panel', { class: 'panel-layers' }, this.filterBar, this.table.element, this.detail.element),
      depth: h('vscode-tab-panel', { class: 'panel-depth' }, this.depth.element),
      finetune: h('vscode-tab-panel', { class: 'panel-finetune' }, this.fineTune.element),
      findings: h('vscode-tab-panel', { class: 'panel-findings' }),
    };
    const labels: Record<Tab, [string, string]> = { layers: ['table', 'Layers'], depth: ['graph-line', 'Depth'], finetune: ['split-horizontal', 'Fine-tune cut'], findings: ['warning', 'Findings'] };
    for (const t of TABS) this.tabs.append(h('vscode-tab-header', { slot: 'header', 'data-tab': t }, icon(labels[t][0]), ` ${labels[t][1]}`));
    for (const t of TABS) this.tabs.append(this.panels[t]);
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      this.api.setState({ tab: i });
      this.renderTab(TABS[i] ?? 'layers');
    });
    root.append(this.head, this.status, this.summary, this.tabs);
    this.setStatus('Waiting for the analysis…', 'loading');
  }

  attach(api: HostApi): void {
    this.api = api;
  }

  private t(key: string, fallback: string): string {
    return this.strings[key] ?? fallback;
  }

  handle(msg: HostMessage): void {
    switch (msg.type) {
      case 'report/init':
        this.strings = msg.strings ?? {};
        this.load(msg.report, msg.settings, msg.partial ?? false, true);
        break;
      case 'report/update':
        this.load(msg.report, msg.settings ?? this.settings ?? FALLBACK_SETTINGS, msg.partial ?? false, this.settings == null);
        break;
      case 'analysis/progress':
        this.setStatus(`${msg.message ? displayText(msg.message, 200) : 'Analyzing'} — ${msg.done} / ${msg.total}`, 'loading');
        break;
      case 'analysis/failed':
        this.setStatus(displayText(msg.message, 2000), 'error');
        break;
      case 'layer/select':
        this.goToLayer(msg.layerId);
        break;
      default:
        assertNever(msg);
    }
  }

  private load(report: Report, settings: ReportSettings, partial: boolean, first: boolean): void {
    this.report = report;
    this.settings = settings;
    this.partial = partial;
    this.ix = indexLayers(report);
    for (const t of TABS) this.dirty.add(t);
    this.renderHead();
    clear(this.summary);
    this.summary.append(renderSummary(report, this.ix, (id) => this.goToLayer(id)));
    this.renderFilterBar();
    this.setStatus(partial ? 'Per-layer details are still arriving…' : '', partial ? 'loading' : 'idle');
    const st = this.api.getState();
    const tab = TABS[st.tab] ?? 'layers';
    (this.tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(tab);
    this.refreshTable();
    if (first) this.table.scrollTo(st.scrollTop);
    this.renderTab(tab);
  }

  private renderHead(): void {
    const r = this.report!;
    clear(this.head);
    const button = (label: string, codicon: string, cls: string, onClick: () => void, secondary = true): HTMLElement => {
      const b = h('vscode-button', { class: cls, secondary }, icon(codicon), ` ${label}`);
      b.addEventListener('click', onClick);
      return b;
    };
    const exportAs = (format: ExportFormat): void => void this.rpc('export/report', { format }, (res) => (res.saved ? `Report written to ${displayText(res.path ?? '', 300)}.` : 'Export cancelled.'));
    this.head.append(
      h('div', { class: 'title' },
        h('h1', null, displayText(modelTitle(r), 200)),
        r.model.graphName ? h('span', { class: 'muted graph-name' }, `graph ${displayText(r.model.graphName, 120)}`) : null,
        this.partial ? h('vscode-badge', { class: 'partial' }, 'partial') : null),
      h('div', { class: 'toolbar' },
        button(this.t('inline.show', 'Show inline diagnostics'), 'list-flat', 'act-inline', () => void this.rpc('inline/show', { layerId: this.api.getState().openId }, (res) => (res.shown ? 'Inline diagnostics shown.' : 'No inline diagnostics to show.')), false),
        button('JSON', 'json', 'act-json', () => exportAs('json')),
        button('Markdown', 'markdown', 'act-markdown', () => exportAs('markdown')),
        button('HTML', 'globe', 'act-html', () => exportAs('html'))));
  }

  private renderFilterBar(): void {
    const st = this.api.getState();
    clear(this.filterBar);
    const sev = h('vscode-single-select', { class: 'flt-severity', 'aria-label': 'Filter by severity' },
      ...['all', ...SEVERITIES, 'none'].map((v) => h('vscode-option', { value: v, selected: v === st.severity }, v === 'all' ? 'all severities' : v === 'none' ? 'no findings' : v)));
    const ops = ['all', ...this.ix!.ops];
    const op = h('vscode-single-select', { class: 'flt-op', 'aria-label': 'Filter by op', combobox: ops.length > 12 },
      ...ops.map((v) => h('vscode-option', { value: v, selected: v === (ops.includes(st.op) ? st.op : 'all') }, v === 'all' ? 'all ops' : displayText(v, 40))));
    const text = h('vscode-textfield', { class: 'flt-text', placeholder: 'Filter by name', value: st.text, 'aria-label': 'Filter by name' }, h('span', { slot: 'content-before', class: 'codicon codicon-filter' }));
    sev.addEventListener('change', () => { this.api.setState({ severity: valueOf(sev) }); this.refreshTable(); });
    op.addEventListener('change', () => { this.api.setState({ op: valueOf(op) }); this.refreshTable(); });
    text.addEventListener('input', () => { this.api.setState({ text: valueOf(text) }); this.refreshTable(); });
    this.filterBar.append(sev, op, text, this.countLabel);
  }

  private refreshTable(): void {
    if (!this.report || !this.ix) return;
    const st = this.api.getState();
    const rows = filterAndSort(this.report.layers, this.ix, { severity: st.severity, op: st.op, text: st.text }, st.sortKey, st.sortDir);
    this.countLabel.textContent = `${rows.length.toLocaleString('en-US')} of ${this.report.layers.length.toLocaleString('en-US')} layers`;
    this.table.setData(rows, this.ix, this.report.options.varianceTolerance, st.sortKey, st.sortDir);
    this.table.setSelected(st.selectedId, false);
    this.detail.show(st.openId ? this.ix.byId.get(st.openId) ?? null : null, this.tolerance());
  }

  private tolerance(): number {
    // The report's own tolerance is what its findings were judged with.
    return this.report?.options.varianceTolerance ?? this.settings?.varianceTolerance ?? 2;
  }

  private renderTab(tab: Tab): void {
    if (!this.report || !this.dirty.has(tab)) return;
    this.dirty.delete(tab);
    if (tab === 'depth') this.depth.show(this.report, this.tolerance());
    else if (tab === 'finetune') this.fineTune.show(this.report, this.settings!.fineTune);
    else if (tab === 'findings') this.renderFindings();
  }

  private renderFindings(): void {
    const panel = this.panels.findings;
    clear(panel);
    const all = sortFindings(this.report!.findings);
    panel.append(h('ul', { class: 'findings all-findings' }, ...all.slice(0, MAX_LISTED_FINDINGS).map((f) => {
      const l = layerOfFinding(this.ix!, f);
      return findingItem(f, l ? () => this.goToLayer(l.id) : undefined);
    })));
    if (all.length > MAX_LISTED_FINDINGS) panel.append(h('p', { class: 'muted' }, `… and ${all.length - MAX_LISTED_FINDINGS} more (export the report to see all).`));
    if (all.length === 0) panel.append(h('p', { class: 'muted' }, 'No findings.'));
  }

  private select(id: string): void {
    this.api.setState({ selectedId: id });
    this.table.setSelected(id, true);
  }

  private open(id: string, scroll: boolean): void {
    const l: LayerReport | undefined = this.ix?.byId.get(id);
    if (!l) return;
    this.api.setState({ openId: id, selectedId: id });
    this.detail.show(l, this.tolerance());
    if (scroll) this.detail.element.scrollIntoView({ block: 'nearest' });
  }

  /** From a finding, a chart point, the strip or the host: show this layer in the Layers tab. */
  private goToLayer(id: string): void {
    if (!this.ix?.byId.has(id)) return;
    const st = this.api.getState();
    if (!this.table.visibleRows.some((r) => r.id === id) && (st.severity !== 'all' || st.op !== 'all' || st.text !== '')) {
      this.api.setState({ severity: 'all', op: 'all', text: '' });
      this.renderFilterBar();
      this.refreshTable();
    }
    (this.tabs as unknown as { selectedIndex: number }).selectedIndex = 0;
    this.api.setState({ tab: 0 });
    this.select(id);
    this.open(id, true);
    this.table.focus();
  }

  private async updateFineTune(s: ReportSettings['fineTune']): Promise<void> {
    await this.rpc('fineTune/update', s, (res) => {
      if (this.report) this.report = { ...this.report, fineTune: res.fineTune };
      this.settings = res.settings;
      this.dirty.add('finetune');
      this.renderTab('finetune');
      return 'Fine-tune plan updated.';
    });
  }

  private async rpc<M extends RequestMethod>(method: M, params: RequestParams<M>, done: (r: RequestResult<M>) => string): Promise<void> {
    this.setStatus(`${method}…`, 'loading');
    try {
      const res = await this.api.request(method, params);
      this.setStatus(done(res), 'idle');
    } catch (e) {
      this.setStatus(displayText(e instanceof Error ? e.message : String(e), 1000), 'error');
    }
  }

  private setStatus(text: string, kind: 'idle' | 'loading' | 'error'): void {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
    this.status.hidden = text === '';
  }
}
