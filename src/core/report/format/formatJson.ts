import type { Report } from '../reportModel';

// Characters JSON.stringify leaves raw inside strings that can still hurt whoever views the file:
// C1 controls, bidi overrides / isolates, zero-width and line/paragraph separators (which also
// end a JavaScript string literal in old engines), plus <, >, & so the JSON can sit in HTML.
const JSON_UNSAFE = /[<>&\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * The report as JSON (2-space indented). Parsing the output gives back exactly `report`; the
 * invisible / direction-changing characters of model strings are written as `\uXXXX` escapes so
 * that viewing the file in a terminal or editor cannot reorder or hide text.
 */
export function formatJson(report: Report): string {
  const text = JSON.stringify(report, null, 2).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}
