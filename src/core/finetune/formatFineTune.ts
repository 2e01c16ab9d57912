import { displayString, displayWidth } from '../report/format/displayString';
import { escapeHtml } from '../text/escapeHtml';
import { escapeMarkdown } from '../text/escapeMarkdown';
import type { FineTuneReport } from './fineTuneModel';
import type { Line, Span } from './fineTuneDocument';
import { fineTuneDocument } from './fineTuneDocument';

/** Longest single span shown (sentences embed model names; 1 MiB names exist). */
const SPAN_MAX = 2000;
const CELL_MAX = 100;

const safe = (s: string, max = SPAN_MAX): string => displayString(s, max);

function spanText(s: Span): string {
  return typeof s === 'string' ? safe(s) : 'code' in s ? safe(s.code, 200) : safe(s.strong);
}

/**
 * The fine-tune section for the terminal: every model string neutralized (control and bidi
 * characters made visible, long names elided); no escape sequences of our own.
 */
export function formatFineTuneText(ft: FineTuneReport): string {
  const out: string[] = [];
  for (const sec of fineTuneDocument(ft)) {
    out.push(sec.title);
    for (const line of sec.lines) out.push(`  ${line.map(spanText).join('')}`);
    if (sec.table) {
      const rows = [sec.table.head.map((c) => c), ...sec.table.rows.map((r) => r.map((c) => safe(c, CELL_MAX)))];
      const widths = sec.table.head.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
      for (const r of rows) {
        out.push(`  ${r.map((c, i) => {
          const fill = ' '.repeat(Math.max(0, widths[i]! - displayWidth(c)));
          return sec.table!.numeric[i] ? fill + c : i === r.length - 1 ? c : c + fill;
        }).join('  ')}`.trimEnd());
      }
    }
    if (sec.code) {
      out.push('  PyTorch snippet:');
      for (const l of sec.code.replace(/\n$/, '').split('\n')) out.push(`    ${safe(l)}`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function mdSpan(s: Span): string {
  if (typeof s === 'string') return escapeMarkdown(safe(s));
  // Code spans cannot escape backticks, so names are shown as escaped text in <code>.
  if ('code' in s) return `<code>${escapeMarkdown(safe(s.code, 200))}</code>`;
  return `**${escapeMarkdown(safe(s.strong))}**`;
}

/** The fine-tune section as Markdown (a `##` section; tables as GFM tables). */
export function formatFineTuneMarkdown(ft: FineTuneReport): string {
  const out: string[] = [];
  for (const sec of fineTuneDocument(ft)) {
    out.push(`## ${escapeMarkdown(safe(sec.title))}`, '');
    for (const line of sec.lines) out.push(`- ${line.map(mdSpan).join('')}`);
    if (sec.lines.length) out.push('');
    if (sec.table) {
      out.push(`| ${sec.table.head.map((c) => escapeMarkdown(c)).join(' | ')} |`);
      out.push(`| ${sec.table.numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`);
      for (const r of sec.table.rows) out.push(`| ${r.map((c) => escapeMarkdown(safe(c, CELL_MAX))).join(' | ')} |`);
      out.push('');
    }
    if (sec.code) {
      // A fence longer than any backtick run inside cannot be closed early by model strings.
      const longest = Math.max(2, ...(sec.code.match(/`+/g) ?? []).map((m) => m.length));
      const fence = '`'.repeat(longest + 1);
      out.push(`${fence}python`, ...sec.code.replace(/\n$/, '').split('\n').map((l) => safe(l)), fence, '');
    }
  }
  return `${out.join('\n')}\n`;
}

function htmlSpan(s: Span): string {
  if (typeof s === 'string') return escapeHtml(safe(s));
  if ('code' in s) return `<code><bdi>${escapeHtml(safe(s.code, 200))}</bdi></code>`;
  return `<strong>${escapeHtml(safe(s.strong))}</strong>`;
}

function htmlLine(line: Line): string {
  return line.map(htmlSpan).join('');
}

/** The fine-tune section as an HTML fragment (inside the report's `<body>`; no scripts, no links). */
export function formatFineTuneHtml(ft: FineTuneReport): string {
  const out: string[] = ['<section class="fine-tune">'];
  for (const sec of fineTuneDocument(ft)) {
    out.push(`<h2>${escapeHtml(safe(sec.title))}</h2>`);
    if (sec.lines.length) out.push('<ul>', ...sec.lines.map((l) => `<li>${htmlLine(l)}</li>`), '</ul>');
    if (sec.table) {
      const t = sec.table;
      out.push('<table>', `<thead><tr>${t.head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`, '<tbody>');
      for (const r of t.rows) out.push(`<tr>${r.map((c, i) => `<td${t.numeric[i] ? ' class="num"' : ''}><bdi>${escapeHtml(safe(c, CELL_MAX))}</bdi></td>`).join('')}</tr>`);
      out.push('</tbody>', '</table>');
    }
    if (sec.code) out.push(`<pre><code>${escapeHtml(sec.code.replace(/\n$/, '').split('\n').map((l) => safe(l)).join('\n'))}</code></pre>`);
  }
  out.push('</section>');
  return `${out.join('\n')}\n`;
}

