/**
 * Neutralizes untrusted model strings for terminal (and any plain-text) output: C0/C1 control
 * characters (ANSI escape sequences start with ESC), bidi overrides and isolates, zero-width and
 * other invisible format characters, line/paragraph separators and lone surrogates become
 * visible `\uXXXX` escapes, so a name can neither move the cursor, recolour the terminal nor
 * visually reorder or hide the surrounding text.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_G = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Replaces every control / format / separator / lone-surrogate character by a visible escape. */
export function neutralizeControls(value: string): string {
  if (!UNSAFE.test(value)) return value;
  return value.replace(UNSAFE_G, (ch) => NAMED[ch] ?? `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

/**
 * A one-line, neutralized form of an untrusted string, elided in the middle when longer than
 * `max` UTF-16 units (work is bounded by `max`, not by the input: 1 MiB names exist).
 */
export function sanitizeForTerminal(value: string, max = 200): string {
  const limit = Math.max(8, Math.floor(max));
  if (value.length <= limit) return neutralizeControls(value);
  let headEnd = Math.ceil(limit * 0.6);
  let tailStart = value.length - (limit - headEnd - 1);
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]/.test(value.charAt(headEnd - 1))) headEnd--;
  if (/[\udc00-\udfff]/.test(value.charAt(tailStart))) tailStart++;
  return `${neutralizeControls(value.slice(0, headEnd))}…(${value.length} chars)…${neutralizeControls(value.slice(tailStart))}`;
}
