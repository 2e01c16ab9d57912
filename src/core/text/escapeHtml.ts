/**
 * The one HTML escaper of the project (HTML report, Markdown report, webview). Model strings are
 * untrusted: besides the five characters that break out of text and quoted attributes, it also
 * encodes `` ` `` (old IE attribute quoting), `=` and `:`, so that no substring scanner, template
 * engine or lax renderer ever sees an `onerror=` or a `javascript:` token in our output. The
 * encoded characters render identically in every HTML and Markdown viewer.
 */
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
  ':': '&#58;',
};

const HTML_SPECIAL = /[&<>"'`=:]/g;

/** Escapes a string for HTML text and (double- or single-quoted) attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(HTML_SPECIAL, (ch) => HTML_ESCAPES[ch] ?? ch);
}
