import { displayString } from '../report/format/displayString';
import { escapeHtml } from '../text/escapeHtml';
import { escapeMarkdown } from '../text/escapeMarkdown';
import type { ProbeReport } from './probeTypes';

/**
 * The probe section of a report as text, Markdown and HTML (the `probe` command, and
 * `analyze --probe` through the report-sections table). One document model, three renderers;
 * every model string goes through `displayString` (control / bidi characters neutralized) and
 * then the format's escaping.
 */
interface ProbeDocument {
  readonly title: string;
  readonly lines: readonly string[];
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly findings: readonly string[];
  readonly timing: string;
}

const HEAD = ['depth', 'node', 'op', 'std', '±sd', 'forecast', 'act std', 'gain', 'iso gain', 'fc gain', 'lsuv'];
const TEXT_COLUMNS = 3; // left-aligned columns; the rest are numbers

function probeDocument(probe: ProbeReport): ProbeDocument {
  const lines = probe.inputs.map((i) => `input ${displayString(i.name, 60)}: ${i.dtype}[${i.shape.join(', ')}] ${i.distribution}`);
  const dims = Object.entries(probe.dims);
  if (dims.length) lines.push(`dims: ${dims.map(([k, v]) => `${displayString(k, 40)}=${v}`).join(', ')}`);
  const rows = probe.layers.map((l) => [
    String(l.depth),
    displayString(l.node, 32),
    l.op,
    num(l.std),
    num(l.stdSpread.sd),
    num(l.forecastStd),
    num(l.activation?.std ?? null),
    num(l.gain),
    num(l.isolatedGain),
    num(l.forecastGain),
    num(l.lsuvScale),
  ]);
  const t = probe.timing;
  return {
    title: `Activation probe (onnxruntime-node ${probe.runtime.version}, seed ${probe.seed}, ${probe.batches} batch${probe.batches === 1 ? '' : 'es'})`,
    lines,
    head: HEAD,
    rows,
    findings: probe.findings.length === 0 ? ['no probe findings'] : probe.findings.map((f) => `${f.severity} ${f.code}: ${displayString(f.message, 300)}`),
    timing: `time: ${ms(t.totalMs)} total (prepare ${ms(t.prepareMs)}, load ${ms(t.loadMs)}, run ${ms(t.runMs)})`,
  };
}

export function formatProbeText(probe: ProbeReport): string {
  const d = probeDocument(probe);
  const widths = d.head.map((h, c) => Math.max(h.length, ...d.rows.map((r) => (r[c] as string).length)));
  const line = (cells: readonly string[]) => `  ${cells.map((cell, c) => (c < TEXT_COLUMNS ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ')}`.trimEnd();
  return [d.title, ...d.lines.map((l) => `  ${l}`), '', line(d.head), ...d.rows.map(line), '', ...d.findings.map((f) => `  ${f}`), '', `  ${d.timing}`, ''].join('\n');
}

export function formatProbeMarkdown(probe: ProbeReport): string {
  const d = probeDocument(probe);
  const row = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [
    `## ${escapeMarkdown(d.title)}`,
    '',
    ...d.lines.map((l) => `- ${escapeMarkdown(l)}`),
    '',
    row(d.head),
    `|${d.head.map((_, c) => (c < TEXT_COLUMNS ? ' --- ' : ' ---: ')).join('|')}|`,
    ...d.rows.map(row),
    '',
    ...d.findings.map((f) => `- ${escapeMarkdown(f)}`),
    '',
    escapeMarkdown(d.timing),
    '',
  ].join('\n');
}

export function formatProbeHtml(probe: ProbeReport): string {
  const d = probeDocument(probe);
  const cell = (tag: 'td' | 'th', text: string, c: number) => `<${tag}${c >= TEXT_COLUMNS ? ' class="num"' : ''}><bdi>${escapeHtml(text)}</bdi></${tag}>`;
  return [
    '<section class="probe">',
    `<h2>${escapeHtml(d.title)}</h2>`,
    '<ul>', ...d.lines.map((l) => `<li>${escapeHtml(l)}</li>`), '</ul>',
    '<table>',
    `<thead><tr>${d.head.map((h, c) => cell('th', h, c)).join('')}</tr></thead>`,
    '<tbody>', ...d.rows.map((r) => `<tr>${r.map((v, c) => cell('td', v, c)).join('')}</tr>`), '</tbody>',
    '</table>',
    '<ul>', ...d.findings.map((f) => `<li>${escapeHtml(f)}</li>`), '</ul>',
    `<p>${escapeHtml(d.timing)}</p>`,
    '</section>',
    '',
  ].join('\n');
}

function num(x: number | null): string {
  if (x === null) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e5 ? x.toExponential(2) : x.toPrecision(3);
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`;
}
