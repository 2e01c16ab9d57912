import type { Finding, Report, Severity } from '../reportModel';
import { displayString, displayWidth } from './displayString';
import { formatBytes, formatCount, formatNumber } from './formatNumber';
import { LAYER_COLUMNS, layerCells, type LayerColumn } from './layerCells';
import { valueInfoText } from './tensorCells';
import { renderSections } from './reportSections';
import { describeForecast, forecastRange } from './describeForecast';
import { SEVERITIES, sortFindings, summarizeSeverities } from './severity';

/** Options of {@link formatText}. */
export interface TextFormatOptions {
  /** ANSI colors (the CLI turns them on for a TTY unless NO_COLOR is set). */
  readonly color?: boolean;
  /** Longest node / weight name shown in the table before it is elided (default 28). */
  readonly nameMax?: number;
  /** Terminal width: names are elided further and the weight column hidden to fit (default: no limit). */
  readonly width?: number;
  /** Info and hint findings listed per code before the rest are counted (default 3). */
  readonly infoPerCode?: number;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', yellow: '\u001b[33m', cyan: '\u001b[36m', green: '\u001b[32m' };
const SEVERITY_COLOR: Readonly<Record<Severity, string>> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan, hint: ANSI.dim };
const RIGHT_ALIGNED = new Set<LayerColumn>(['index', 'fanIn', 'fanOut', 'std', 'xavier', 'he', 'ratio']);

/**
 * The report as a terminal table: a model summary, one row per layer (weight use), the findings
 * most severe first, skipped tensors and the variance forecast. Every model string goes through
 * `displayString` (control / bidi characters made visible, long names elided); the only escape
 * sequences in the output are our own colors, and only when `color` is set.
 */
export function formatText(report: Report, options: TextFormatOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const nameMax = options.nameMax ?? 28;
  const m = report.model;
  const out: string[] = [];

  out.push(paint(ANSI.bold, `${report.tool.name} ${displayString(report.tool.version, 20)} — ${displayString(m.path, 120)}`));
  const opsets = m.opsets.map((o) => `${displayString(o.domain || 'ai.onnx', 40)} ${o.version}`).join(', ');
  const producer = m.producer.name ? `${displayString(m.producer.name, 60)} ${displayString(m.producer.version, 30)}`.trim() : 'unknown producer';
  out.push(`  ${producer} · IR ${m.irVersion} · opset ${opsets || '—'} · graph ${displayString(m.graphName, 60) || '—'}`);
  out.push(
    `  ${formatCount(m.counts.nodes)} nodes · ${formatCount(m.counts.initializers)} initializers · ${formatCount(m.counts.layers)} layers · ` +
      `${formatCount(m.parameterCount)} parameters (${formatBytes(m.weightBytes)})`,
  );
  const io = (list: typeof m.inputs): string => list.slice(0, 8).map(valueInfoText).join(', ') + (list.length > 8 ? `, +${list.length - 8} more` : '');
  out.push(`  inputs: ${io(m.inputs) || '—'} · outputs: ${io(m.outputs) || '—'}`);
  out.push(`  verdict: ${paint(ANSI.bold, m.verdict)}${m.verdictReason ? ` — ${displayString(m.verdictReason, 200)}` : ''}`);
  out.push('');

  out.push(paint(ANSI.bold, `Layers (${report.layers.length})`));
  if (report.layers.length === 0) {
    out.push('  (no weight layers found)');
  } else {
    const table = fitTable(report, nameMax, options.width);
    const { rows, widths, columns } = table;
    const line = (cells: (c: (typeof LAYER_COLUMNS)[number]) => string): string =>
      columns.map((c, i) => pad(cells(c), widths[i]!, RIGHT_ALIGNED.has(c.key), i === columns.length - 1)).join('  ').trimEnd();
    if (table.hidden.length) out.push(paint(ANSI.dim, `  (narrow terminal: ${table.hidden.join(', ')} column${table.hidden.length === 1 ? '' : 's'} hidden; --format html or json shows everything)`));
    out.push(paint(ANSI.bold, `  ${line((c) => c.title)}`));
    report.layers.forEach((layer, i) => {
      const text = `  ${line((c) => rows[i]![c.key])}`;
      const worst = SEVERITIES.find((s) => layer.findings.some((f) => f.severity === s && !f.intentional));
      out.push(worst === 'error' || worst === 'warning' ? paint(SEVERITY_COLOR[worst], text) : text);
    });
  }
  out.push('');

  out.push(paint(ANSI.bold, `Findings (${summarizeSeverities(report.findings)})`));
  for (const severity of SEVERITIES) {
    const group = sortFindings(report.findings).filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(`  ${paint(SEVERITY_COLOR[severity], severity.toUpperCase())}`);
    if (severity === 'error' || severity === 'warning') {
      for (const f of group) out.push(`    ${findingLine(f, paint)}`);
      continue;
    }
    // info / hint: a few per code, then a count with the tensors, so context does not drown the rest.
    const perCode = options.infoPerCode ?? 3;
    const byCode = new Map<string, Finding[]>();
    for (const f of group) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
    for (const [code, list] of byCode) {
      for (const f of list.slice(0, perCode)) out.push(`    ${findingLine(f, paint)}`);
      const rest = list.slice(perCode);
      if (rest.length === 0) continue;
      const names = rest.slice(0, 4).map((f) => displayString(f.tensor ?? f.node ?? '—', 32)).join(', ');
      out.push(`    ${paint(ANSI.dim, `… ${displayString(code, 48)}: ${rest.length} more (${names}${rest.length > 4 ? ', …' : ''}); --format json lists them all`)}`);
    }
  }
  out.push('');

  const skipped = report.tensors.filter((t) => t.skipped);
  if (skipped.length) {
    out.push(paint(ANSI.bold, `Skipped tensors (${skipped.length})`));
    for (const t of skipped) out.push(`  ${displayString(t.name, 60)}: ${displayString(t.skipped ?? '', 200)}`);
    out.push('');
  }

  for (const extra of renderSections(report, 'text')) out.push(extra.trimEnd(), '');
  out.push(paint(ANSI.bold, 'Forecast'));
  out.push(`  ${describeForecast(report, (s) => displayString(s, 60))}`);
  if (report.forecast.points.length) {
    const r = forecastRange(report);
    out.push(`  cumulative variance gain: min ${formatNumber(r.min)}, max ${formatNumber(r.max)}, last ${formatNumber(r.last)}`);
  }
  return `${out.join('\n')}\n`;
}

type Column = (typeof LAYER_COLUMNS)[number];

/**
 * Cells and column widths of the layer table. With a `width`, it is fitted step by step before it
 * would wrap: shorter names, a shorter scheme label, then without the weight column, then without
 * the textbook Xavier / He columns (`recommended` still shows the std that applies). Widths are a
 * loop, not Math.max(...rows): models with 100k+ layers would overflow the argument list.
 */
function fitTable(report: Report, nameMax: number, width: number | undefined): { rows: Record<LayerColumn, string>[]; widths: number[]; columns: Column[]; hidden: string[] } {
  const attempt = (names: number, scheme: number, hidden: readonly LayerColumn[]) => {
    const columns = LAYER_COLUMNS.filter((c) => !hidden.includes(c.key));
    const rows = report.layers.map((l) => layerCells(l, names, scheme));
    const widths = columns.map((c) => rows.reduce((w, r) => Math.max(w, displayWidth(r[c.key])), displayWidth(c.title)));
    // The last column (finding codes) is not padded; a long one may wrap without hurting alignment.
    const fixed = widths.slice(0, -1).reduce((a, b) => a + b, 0) + Math.min(widths[widths.length - 1] ?? 0, 20);
    return { rows, widths, columns, total: 2 + fixed + 2 * (columns.length - 1), hidden: columns.length < LAYER_COLUMNS.length ? LAYER_COLUMNS.filter((c) => hidden.includes(c.key)).map((c) => c.title) : [] };
  };
  const steps: [number, number, LayerColumn[]][] = [
    [nameMax, 32, []],
    [Math.min(nameMax, 20), 32, []],
    [Math.min(nameMax, 16), 20, []],
    [Math.min(nameMax, 16), 20, ['weight']],
    [Math.min(nameMax, 16), 20, ['weight', 'xavier', 'he']],
  ];
  let t = attempt(...steps[0]!);
  if (width === undefined) return t;
  for (const step of steps.slice(1)) {
    if (t.total <= width) break;
    t = attempt(...step);
  }
  return t;
}

function findingLine(f: Finding, paint: (code: string, text: string) => string): string {
  const where = [f.tensor, f.node && f.node !== f.tensor ? `@ ${f.node}` : null].filter((x): x is string => !!x);
  const subject = where.length ? ` ${where.map((w) => displayString(w, 48)).join(' ')}:` : '';
  const tag = f.intentional ? ' (intentional)' : '';
  return `${paint(ANSI.bold, displayString(f.code, 48))}${tag}${subject} ${displayString(f.message, 400)}`;
}

function pad(text: string, width: number, right: boolean, last: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  if (right) return fill + text;
  return last ? text : text + fill;
}
