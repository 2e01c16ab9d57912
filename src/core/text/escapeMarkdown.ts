import { escapeHtml } from './escapeHtml';

// Inline Markdown syntax characters that escapeHtml does not already encode. A backslash before
// ASCII punctuation is always a literal in CommonMark/GFM (and `\|` is GFM's table-cell pipe).
// `<`, `>`, `&`, backtick, quotes, `=` and `:` are entity-encoded by escapeHtml instead, which
// CommonMark decodes to literal characters that never start markup (code spans, raw HTML, links).
const MARKDOWN_SPECIAL = /[\\*_[\]|~!#]/g;

/**
 * Escapes an untrusted string for a Markdown inline / table-cell context: no emphasis, links,
 * images, code spans, raw HTML or table breaks can come out of it. The caller neutralizes
 * control characters and line breaks first (see `sanitize.ts`), so the value is one line.
 */
export function escapeMarkdown(value: string): string {
  return escapeHtml(value.replace(MARKDOWN_SPECIAL, (ch) => `\\${ch}`));
}
