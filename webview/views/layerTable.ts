// The layer table. Hand-written instead of <vscode-table> because that component renders every
// row into the DOM: a 10,000-layer model needs virtualization (only the visible rows exist, a
// fixed pool of row elements is re-filled on scroll) and a keyboard model of its own (grid role,
// arrows / PageUp / PageDown / Home / End move the selection, Enter opens the detail).
import type { LayerReport, Severity } from '../../src/core/report/reportModel';
import { clear, displayText, h, icon } from '../dom';
import { int, num, shape } from '../format';
import type { LayerIndex } from '../layerModel';
import { ratioClass, severityIcon, severityRank } from '../layerModel';

export const ROW_HEIGHT = 24;
const OVERSCAN = 6;
// The bar spans ratio 1/10 … 10 on a log scale, centred on 1.
const BAR_DECADES = 1;

interface Column {
  readonly key: string;
  readonly label: string;
  readonly title: string;
  /** Pixels; 0 = the flexible name column, which takes the remaining width. */
  readonly width: number;
  readonly numeric?: boolean;
  readonly sort: (l: LayerReport, ix: LayerIndex) => number | string | null;
}

const verdictLabel = (l: LayerReport): string => (l.verdict === 'unknown' ? '—' : l.verdict);

export const COLUMNS: readonly Column[] = [
  { key: 'index', label: '#', title: 'Graph order', width: 40, numeric: true, sort: (l) => l.index },
  { key: 'node', label: 'Layer', title: 'Node name (weight tensor)', width: 0, sort: (l) => l.node },
  { key: 'op', label: 'Op', title: 'Operator', width: 80, sort: (l) => l.op },
  { key: 'shape', label: 'Shape', title: 'Weight shape', width: 118, sort: (l) => l.shape.reduce((a, b) => a * b, 1) },
  { key: 'fanIn', label: 'fan_in', title: 'fan_in', width: 56, numeric: true, sort: (l) => l.fanIn },
  { key: 'fanOut', label: 'fan_out', title: 'fan_out', width: 60, numeric: true, sort: (l) => l.fanOut },
  { key: 'activation', label: 'Activation', title: 'Following activation', width: 76, sort: (l) => l.activation },
  { key: 'std', label: 'std', title: 'Measured std (population)', width: 76, numeric: true, sort: (l) => l.stats.std },
  { key: 'xavier', label: 'Xavier', title: 'Xavier/Glorot normal std', width: 70, numeric: true, sort: (l) => l.recommended.xavier?.std ?? null },
  { key: 'he', label: 'He', title: 'He/Kaiming normal std', width: 70, numeric: true, sort: (l) => l.recommended.he?.std ?? null },
  { key: 'ratio', label: 'Ratio', title: 'Measured ÷ recommended std (log scale, 0.1…10)', width: 124, numeric: true, sort: (l) => (l.ratio != null && l.ratio > 0 ? Math.abs(Math.log(l.ratio)) : null) },
  { key: 'scheme', label: 'Scheme', title: 'Best matching init scheme', width: 150, sort: (l) => l.matchedScheme?.label ?? null },
  { key: 'verdict', label: 'State', title: 'Trained / fresh', width: 76, sort: (l) => l.verdict },
  { key: 'findings', label: 'Findings', title: 'Findings (worst first)', width: 72, sort: (l, ix) => { const w = ix.worst.get(l.id); return w == null ? 9 : severityRank(w) * 1e6 - l.findings.length; } },
];

export interface TableFilter {
  readonly severity: string; // 'all' | Severity | 'none'
  readonly op: string; // 'all' | op
  readonly text: string;
}

export interface TableCallbacks {
  onSelect(id: string): void;
  onOpen(id: string): void;
  onScroll(top: number): void;
  onSort(key: string, dir: 1 | -1): void;
}

/** Filters and sorts; nulls always last. Stable (graph order breaks ties). */
export function filterAndSort(layers: readonly LayerReport[], ix: LayerIndex, f: TableFilter, sortKey: string, dir: 1 | -1): LayerReport[] {
  const text = f.text.trim().toLowerCase();
  const rows = layers.filter((l) => {
    if (f.op !== 'all' && l.op !== f.op) return false;
    if (f.severity !== 'all') {
      const w = ix.worst.get(l.id) ?? null;
      if (f.severity === 'none' ? w != null : l.findings.every((x) => x.severity !== (f.severity as Severity))) return false;
    }
    return text === '' || l.node.toLowerCase().includes(text) || l.weight.toLowerCase().includes(text);
  });
  const col = COLUMNS.find((c) => c.key === sortKey) ?? COLUMNS[0]!;
  const keyed = rows.map((l) => ({ l, k: col.sort(l, ix) }));
  keyed.sort((a, b) => {
    if (a.k == null || b.k == null) return a.k == null ? (b.k == null ? a.l.index - b.l.index : 1) : -1;
    const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
    return c !== 0 ? c * dir : a.l.index - b.l.index;
  });
  return keyed.map((x) => x.l);
}

interface RowEls {
  readonly row: HTMLElement;
  readonly cells: HTMLElement[];
  readonly barFill: HTMLElement;
  readonly barText: HTMLElement;
  readonly findIcon: HTMLElement;
  readonly findText: HTMLElement;
}

export class LayerTable {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly body: HTMLElement;
  private readonly header: HTMLElement;
  private readonly empty: HTMLElement;
  private pool: RowEls[] = [];
  private rows: LayerReport[] = [];
  private ix: LayerIndex | null = null;
  private tolerance = 2;
  private selectedId: string | null = null;
  private sortKey = 'index';
  private sortDir: 1 | -1 = 1;
  private frame = 0;
  private pendingReveal: string | null = null;

  constructor(private readonly cb: TableCallbacks) {
    this.header = h('div', { class: 'vt-row vt-head', role: 'row' });
    for (const c of COLUMNS) {
      const btn = h('button', { class: `vt-cell vt-sort${c.numeric ? ' num' : ''}`, role: 'columnheader', title: c.title, 'data-key': c.key, tabindex: -1 }, c.label);
      btn.addEventListener('click', () => {
        const dir: 1 | -1 = this.sortKey === c.key ? (this.sortDir === 1 ? -1 : 1) : (c.key === 'findings' || c.key === 'ratio' ? -1 : 1);
        this.cb.onSort(c.key, dir);
      });
      this.header.appendChild(btn);
    }
    this.body = h('div', { class: 'vt-body', role: 'rowgroup' });
    this.empty = h('div', { class: 'vt-empty', hidden: true }, 'No layer matches the filter.');
    this.scroller = h('div', { class: 'vt-scroll', tabindex: 0, role: 'grid', 'aria-label': 'Layers', 'aria-colcount': COLUMNS.length }, this.header, this.body, this.empty);
    this.layoutColumns();
    this.element = this.scroller;
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.vt-row');
      const id = row?.dataset.id;
      if (id) { this.scroller.focus({ preventScroll: true }); this.cb.onSelect(id); this.cb.onOpen(id); }
    });
    new ResizeObserver(() => {
      // A reveal requested while the tab was hidden (no height yet) is done once it is shown.
      if (this.pendingReveal != null && this.scroller.clientHeight > 0) {
        const id = this.pendingReveal;
        this.pendingReveal = null;
        this.reveal(id);
      }
      this.layoutColumns();
      this.schedule();
    }).observe(this.scroller);
  }

  /**
   * Fixed pixel columns (the name column gets what is left, at least 160px): every row then has
   * exactly the header's widths, whatever its content (a `fr` track would size per row).
   */
  private layoutColumns(): void {
    const fixed = COLUMNS.reduce((a, c) => a + c.width, 0);
    const name = Math.max(160, (this.scroller.clientWidth || 1200) - fixed - 2);
    this.scroller.style.setProperty('--vt-cols', COLUMNS.map((c) => `${c.width || name}px`).join(' '));
    this.scroller.style.setProperty('--vt-width', `${fixed + name}px`);
  }

  setData(rows: LayerReport[], ix: LayerIndex, tolerance: number, sortKey: string, sortDir: 1 | -1): void {
    this.rows = rows;
    this.ix = ix;
    this.tolerance = tolerance;
    this.sortKey = sortKey;
    this.sortDir = sortDir;
    for (const btn of this.header.querySelectorAll<HTMLElement>('.vt-sort')) {
      const on = btn.dataset.key === sortKey;
      btn.setAttribute('aria-sort', on ? (sortDir === 1 ? 'ascending' : 'descending') : 'none');
      btn.classList.toggle('sorted', on);
      btn.classList.toggle('desc', on && sortDir === -1);
    }
    this.scroller.setAttribute('aria-rowcount', String(rows.length + 1));
    this.body.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.empty.hidden = rows.length > 0;
    this.render();
  }

  get visibleRows(): readonly LayerReport[] {
    return this.rows;
  }

  setSelected(id: string | null, reveal: boolean): void {
    this.selectedId = id;
    if (reveal && id != null) this.reveal(id);
    this.render();
  }

  scrollTo(top: number): void {
    this.scroller.scrollTop = top;
    this.render();
  }

  focus(): void {
    this.scroller.focus({ preventScroll: true });
  }

  private reveal(id: string): void {
    if (this.scroller.clientHeight === 0) { this.pendingReveal = id; return; }
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return;
    const headH = this.header.offsetHeight;
    const view = this.scroller.clientHeight - headH;
    const top = i * ROW_HEIGHT;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_HEIGHT - view;
  }

  private onKey(e: KeyboardEvent): void {
    if (this.rows.length === 0) return;
    const cur = this.selectedId == null ? -1 : this.rows.findIndex((r) => r.id === this.selectedId);
    const page = Math.max(1, Math.floor((this.scroller.clientHeight - this.header.offsetHeight) / ROW_HEIGHT) - 1);
    let next: number;
    switch (e.key) {
      case 'ArrowDown': next = cur + 1; break;
      case 'ArrowUp': next = cur < 0 ? 0 : cur - 1; break;
      case 'PageDown': next = cur + page; break;
      case 'PageUp': next = cur - page; break;
      case 'Home': next = 0; break;
      case 'End': next = this.rows.length - 1; break;
      case 'Enter':
      case ' ':
        if (cur >= 0) { e.preventDefault(); this.cb.onOpen(this.rows[cur]!.id); }
        return;
      default: return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(this.rows.length - 1, next));
    this.cb.onSelect(this.rows[next]!.id);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
      this.cb.onScroll(this.scroller.scrollTop);
    });
  }

  private render(): void {
    const headH = this.header.offsetHeight || ROW_HEIGHT;
    const viewH = Math.max(ROW_HEIGHT, this.scroller.clientHeight - headH);
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.min(this.rows.length - first, Math.ceil(viewH / ROW_HEIGHT) + 2 * OVERSCAN);
    while (this.pool.length < count) this.pool.push(this.makeRow());
    for (let p = 0; p < this.pool.length; p++) {
      const els = this.pool[p]!;
      if (p >= count) { els.row.hidden = true; continue; }
      els.row.hidden = false;
      this.fill(els, this.rows[first + p]!, first + p);
    }
    const active = this.pool.find((r) => !r.row.hidden && r.row.dataset.id === this.selectedId);
    if (active) this.scroller.setAttribute('aria-activedescendant', active.row.id);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private makeRow(): RowEls {
    const n = this.pool.length;
    const row = h('div', { class: 'vt-row', role: 'row', id: `vt-row-${n}` });
    const cells = COLUMNS.map((c) => h('div', { class: `vt-cell${c.numeric ? ' num' : ''} col-${c.key}`, role: 'gridcell' }));
    const barFill = h('div', { class: 'bar-fill' });
    const barText = h('span', { class: 'bar-text' });
    const ratioCell = cells[COLUMNS.findIndex((c) => c.key === 'ratio')]!;
    ratioCell.append(h('div', { class: 'bar' }, h('div', { class: 'bar-mid' }), barFill), barText);
    const findIcon = icon('pass');
    const findText = h('span');
    cells[COLUMNS.findIndex((c) => c.key === 'findings')]!.append(findIcon, findText);
    row.append(...cells);
    this.body.appendChild(row);
    return { row, cells, barFill, barText, findIcon, findText };
  }

  private fill(els: RowEls, l: LayerReport, i: number): void {
    const { row, cells } = els;
    row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
    row.dataset.id = l.id;
    row.setAttribute('aria-rowindex', String(i + 2));
    const sel = l.id === this.selectedId;
    row.classList.toggle('selected', sel);
    row.setAttribute('aria-selected', String(sel));
    const set = (key: string, text: string, title?: string): void => {
      const c = cells[COLUMNS.findIndex((x) => x.key === key)]!;
      c.textContent = text;
      if (title != null) c.title = title;
    };
    set('index', String(l.index));
    set('node', displayText(l.node, 120), displayText(`${l.node}\n${l.weight}`, 400));
    set('op', displayText(l.op, 40));
    set('shape', shape(l.shape));
    set('fanIn', int(l.fanIn));
    set('fanOut', int(l.fanOut));
    set('activation', displayText(l.activation, 40));
    // A layer whose weight the analysis has not read yet (partial report): its numbers are coming.
    const pending = l.pending === true;
    set('std', pending ? '…' : num(l.stats.std), pending ? 'not read yet' : undefined);
    set('xavier', num(l.recommended.xavier?.std));
    set('he', num(l.recommended.he?.std));
    set('scheme', l.matchedScheme ? displayText(l.matchedScheme.label, 60) : '—', l.matchedScheme ? `score ${num(l.matchedScheme.score, 2)}` : '');
    set('verdict', pending ? '…' : verdictLabel(l));
    // ratio bar: log10(ratio) in [-1, 1] → a fill from the centre to that side
    const r = l.ratio;
    const cls = ratioClass(r, this.tolerance);
    els.barFill.className = `bar-fill ${cls}`;
    if (r != null && r > 0) {
      const x = Math.max(-1, Math.min(1, Math.log10(r) / BAR_DECADES));
      els.barFill.style.left = `${50 + Math.min(0, x) * 50}%`;
      els.barFill.style.width = `${Math.max(1.5, Math.abs(x) * 50)}%`;
    } else {
      els.barFill.style.width = '0';
    }
    els.barText.textContent = pending ? '…' : r == null ? '—' : `${num(r, 3)}×`;
    const w = this.ix?.worst.get(l.id) ?? null;
    els.findIcon.className = `codicon codicon-${severityIcon(w)} sev-${w ?? 'none'}`;
    els.findText.textContent = l.findings.length ? String(l.findings.length) : '';
  }

  destroy(): void {
    clear(this.body);
    this.pool = [];
  }
}
