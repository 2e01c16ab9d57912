// The report the render tests use. TEMPORARY: a generated report until the core's analyzeModel
// lands; then this reads a fixture model through the real analysis.
import type { Report } from '../../../src/core/report/reportModel';
import { syntheticReport } from './syntheticReport';

export async function loadTestReport(): Promise<Report> {
  return syntheticReport({ layers: 60 });
}

/** Payloads of the hostile corpus (html_injection_names, unicode_rtl_names, nul_in_names, long_names_1mb), aimed at our flag. */
export const HOSTILE_NAMES = {
  html: [
    '<script>window.__pwned=1</script>',
    '"><img src=x onerror="window.__pwned=2;alert(1)">',
    "'><svg onload=window.__pwned=3>",
    '<iframe src="javascript:window.top.__pwned=4"></iframe>',
    '</div><a href="javascript:alert(5)">x</a><!--',
    '{{constructor.constructor("window.__pwned=6")()}}',
  ],
  bidi: ['weight\u202egnp.exe', 'a\u2066isolated\u2069b', 'nul\u0000inside', 'zero\u200bwidth'],
  long: 'L'.repeat(1 << 20),
};

/** A report whose every name is a payload. TEMPORARY: generated until analyzeModel lands. */
export async function hostileReport(): Promise<Report> {
  const all = [...HOSTILE_NAMES.html, ...HOSTILE_NAMES.bidi, HOSTILE_NAMES.long];
  const r = syntheticReport({ layers: all.length * 2, names: (i) => all[i % all.length]! });
  return {
    ...r,
    model: { ...r.model, producer: { name: HOSTILE_NAMES.html[1]!, version: HOSTILE_NAMES.bidi[0]! }, graphName: HOSTILE_NAMES.html[0]!, path: `/m/${HOSTILE_NAMES.html[2]}.onnx` },
    layers: r.layers.map((l, i) => ({ ...l, op: i % 5 === 0 ? HOSTILE_NAMES.html[3]! : l.op, activation: i % 7 === 0 ? HOSTILE_NAMES.html[4]! : l.activation })),
  };
}
