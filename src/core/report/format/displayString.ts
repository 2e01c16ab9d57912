import { neutralizeControls as neutralize } from '../../text/sanitize';

// Elision here differs from sanitizeForTerminal on purpose: `max` counts code points (so a table
// column of astral names gets the width asked for), the length note is optional (narrow table
// cells leave it out), and the ellipsis counts towards `max` so columns line up.

/** Options of {@link displayString}. */
export interface DisplayOptions {
  /** Show the full length (UTF-16 units) when elided; default: when `max` ≥ 100 (not in table cells). */
  readonly showLength?: boolean;
}

/**
 * An untrusted model string made fit for display: control, bidi-override, zero-width and other
 * invisible format characters become visible `\uXXXX` escapes (they can reorder or hide report
 * text), and values longer than `max` code points are elided in the middle (head…tail) on
 * code-point boundaries, so astral characters are never split. Work is bounded by `max`, not
 * by the input length (names of 1 MiB are real in the hostile corpus).
 */
export function displayString(value: string, max = 80, options: DisplayOptions = {}): string {
  const limit = Math.max(3, Math.floor(max));
  if (value.length <= limit) return neutralize(value);
  const head = takeCodePoints(value, Math.ceil((limit - 1) * 0.6));
  if (head.consumed === value.length) return neutralize(value);
  const tail = takeLastCodePoints(value, limit - 1 - head.count, head.consumed);
  if (head.consumed + tail.length >= value.length) return neutralize(value);
  const note = (options.showLength ?? limit >= 100) ? `(${value.length} chars)…` : '';
  return `${neutralize(head.text)}…${note}${neutralize(tail)}`;
}

function takeCodePoints(value: string, count: number): { text: string; count: number; consumed: number } {
  let i = 0;
  let n = 0;
  while (i < value.length && n < count) {
    const cp = value.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    n++;
  }
  return { text: value.slice(0, i), count: n, consumed: i };
}

function takeLastCodePoints(value: string, count: number, notBefore: number): string {
  let i = value.length;
  let n = 0;
  while (i > notBefore && n < count) {
    const low = value.charCodeAt(i - 1);
    const high = i >= 2 ? value.charCodeAt(i - 2) : 0;
    i -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff && i - 2 >= notBefore ? 2 : 1;
    n++;
  }
  return value.slice(i);
}

/**
 * Terminal columns a (neutralized) string occupies: combining marks take 0 columns, East Asian
 * wide characters and most emoji take 2, everything else 1. Used to pad the text table.
 */
export function displayWidth(value: string): number {
  if (PRINTABLE_ASCII.test(value)) return value.length;
  let width = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (MARK.test(ch)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const MARK = /\p{M}/u;

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
