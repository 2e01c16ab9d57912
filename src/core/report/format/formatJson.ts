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
  return [...formatJsonChunks(report)].join('');
}

/**
 * formatJson's text in pieces (one per top-level field, and one per element of its arrays), so
 * a report of 100,000 tensors is written without building one string of ~100 MB (and its UTF-8
 * copy). Joined, the pieces are exactly JSON.stringify(report, null, 2) plus a newline, escaped.
 */
export function* formatJsonChunks(report: Report): Generator<string> {
  const fields = Object.entries(report).filter(([, v]) => v !== undefined && typeof v !== 'function');
  yield '{';
  for (const [i, [key, value]] of fields.entries()) {
    yield `${i === 0 ? '' : ','}\n  ${safe(JSON.stringify(key))}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield '[';
      for (const [j, item] of (value as unknown[]).entries()) yield `${j === 0 ? '' : ','}\n    ${indented(item, '    ')}`;
      yield '\n  ]';
    } else {
      yield indented(value, '  ');
    }
  }
  yield fields.length > 0 ? '\n}\n' : '}\n';
}

/** JSON.stringify(value, null, 2) as it appears nested at `indent` (array holes and undefined as null). */
function indented(value: unknown, indent: string): string {
  return safe((JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`));
}

function safe(text: string): string {
  return text.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
