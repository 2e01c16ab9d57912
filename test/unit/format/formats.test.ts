import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatText } from '../../../src/core/report/format/formatText';
import { displayWidth } from '../../../src/core/report/format/displayString';
import { formatMarkdown } from '../../../src/core/report/format/formatMarkdown';
import { limitRows } from '../../../src/core/report/format/limitRows';
import { formatHtml, HTML_REPORT_CSP } from '../../../src/core/report/format/formatHtml';
import { formatJson, formatJsonChunks } from '../../../src/core/report/format/formatJson';
import { sampleReport, type SampleNames } from './sampleReport';
import { ACTIVE_MARKUP, HOSTILE, INVISIBLE } from './hostileStrings';

// eslint-disable-next-line no-control-regex -- stripping our own color codes
const ANSI_SGR = new RegExp('\u001b\\[\\d+m', 'g');

/** Puts one hostile string into every model-string slot the sample report has. */
function hostileReport(value: string): ReturnType<typeof sampleReport> {
  const names: SampleNames = { path: value, node: value, weight: value, op: value, producer: value, graph: value, activation: value, message: value, skipped: value };
  return sampleReport(names);
}

test('text: one row per layer with the numbers of each column', () => {
  const text = formatText(sampleReport());
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\s+#\s+node\s+op\s+weight\s+shape\s+fan_in\s+fan_out\s+activation\s+std\s+Xavier std\s+He std\s+recommended\s+ratio\s+matched scheme\s+trained\/fresh\s+findings$/.test(l));
  assert.ok(header > 0, text);
  const row0 = lines[header + 1]!.trim().split(/\s{2,}/);
  // fc0: Gemm [128, 784], He std √(2/784) = 0.05051, Xavier √(2/912) = 0.04683.
  assert.deepEqual(row0, ['0', 'fc0', 'Gemm', 'fc0.weight', '128×784', '784', '128', 'Relu', '0.05051', '0.04683', '0.05051', '0.05051 he', '1.00×', 'he_normal', 'fresh', 'intentional-zero-bias']);
  assert.match(lines[header + 2]!, /weight-all-zero$/);
  assert.match(lines[header + 3]!, /0\.08839 he\s+0\.10×\s+he_normal .*variance-too-low$/);
  // Findings grouped most severe first, then the forecast.
  const order = ['ERROR', 'WARNING', 'INFO', 'Forecast'].map((w) => text.indexOf(w));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.match(text, /Findings \(1 error, 1 warning, 1 info\)/);
  assert.match(text, /vanishing: the activation variance leaves the stable band at depth 2 \(layer fc2\)/);
  assert.match(text, /Skipped tensors \(1\)\n {2}ext\.weight: external data refused: path-traversal/);
  assert.ok(!text.includes('\u001b'), 'no escape sequences without color');
});

test('text: colors only as SGR sequences, and only when asked', () => {
  const text = formatText(sampleReport(), { color: true });
  assert.ok(text.includes('\u001b[31m'));
  assert.deepEqual(text.replace(ANSI_SGR, '').includes('\u001b'), false);
});

test('text: hostile model strings come out neutralized and elided', () => {
  for (const [kind, value] of Object.entries(HOSTILE)) {
    const text = formatText(hostileReport(value), { color: true });
    const plain = text.replace(ANSI_SGR, '');
    assert.doesNotMatch(plain.replace(/\n/g, ''), INVISIBLE, kind);
    assert.ok(text.length < 20_000, `${kind}: ${text.length} chars`);
  }
  const rtl = formatText(hostileReport(HOSTILE.rtl));
  assert.ok(rtl.includes('gpj.\\u202eexe.evil'));
  assert.ok(formatText(hostileReport(HOSTILE.nul)).includes('w\\u0000hidden'));
});

test('markdown: tables keep their columns and no model string becomes markup', () => {
  for (const [kind, value] of Object.entries(HOSTILE)) {
    const md = formatMarkdown(hostileReport(value));
    for (const bad of ACTIVE_MARKUP) assert.ok(!md.toLowerCase().includes(bad), `${kind}: ${bad}`);
    assert.doesNotMatch(md, INVISIBLE, kind);
    assert.ok(md.length < 40_000, `${kind}: ${md.length}`);
    // Each table row has exactly as many unescaped pipes as its header.
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    for (const row of rows) {
      const pipes = row.replace(/\\\\/g, '').match(/(?<!\\)\|/g)!.length;
      assert.ok([3, 6, 10, 17].includes(pipes), `${kind}: ${pipes} pipes in ${row.slice(0, 120)}`);
    }
    assert.ok(!/(?<!\\)[`]/.test(md.replace(/^```.*$/gm, '')), `${kind}: raw backtick`);
  }
  const md = formatMarkdown(sampleReport());
  assert.match(md, /\| error \| \[weight-all-zero\]\(https:\/\/\S+#weight-all-zero\) \| fc1\.weight \| fc1 \|/);
  assert.match(md, /\| 0 \| fc0 \| Gemm \| fc0\.weight \| 128×784 \| 784 \| 128 \| Relu \| 0\.05051 \| 0\.04683 \| 0\.05051 \| 0\.05051 he \| 1\.00× \| he\\_normal \| fresh \| intentional-zero-bias \|/);
});

test('html: self-contained, CSP, no script, every model string escaped', () => {
  const clean = formatHtml(sampleReport());
  assert.ok(clean.startsWith('<!DOCTYPE html>'));
  assert.ok(clean.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`));
  assert.match(HTML_REPORT_CSP, /^default-src 'none'; style-src 'unsafe-inline'/);
  assert.doesNotMatch(clean, /<script|<link|<img|<iframe|\bsrc=|\bon[a-z]+=/i);
  assert.match(clean, /<svg viewBox=/, 'forecast chart inline');
  for (const [kind, value] of Object.entries(HOSTILE)) {
    const html = formatHtml(hostileReport(value));
    for (const bad of ACTIVE_MARKUP) assert.ok(!html.toLowerCase().includes(bad), `${kind}: ${bad}`);
    assert.doesNotMatch(html, INVISIBLE, kind);
    assert.ok(html.length < 60_000, `${kind}: ${html.length}`);
    // Only our own tags: every '<' opens a known element.
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z!][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = ['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'dl', 'dt', 'dd', 'strong', 'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'bdi', 'p', 'svg', 'rect', 'polyline', 'details', 'summary', 'br', 'div'];
    assert.deepEqual([...tags].filter((t) => !allowed.includes(t)), [], kind);
  }
  const attr = formatHtml(hostileReport(HOSTILE.attr));
  assert.ok(attr.includes('<bdi>&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;</bdi>'));
});

test('markdown stays within GitHub limits on big models: flagged layers first, the rest counted', () => {
  const base = sampleReport();
  const layers = Array.from({ length: 1000 }, (_, i) => ({ ...base.layers[i === 700 ? 1 : 0]!, id: `L${i}`, index: i, node: `n${i}` }));
  const md = formatMarkdown({ ...base, layers }, { maxLayerRows: 50 });
  const rows = md.split('\n').filter((l) => /^\| \d+ \| n\d+ \|/.test(l));
  assert.equal(rows.length, 50);
  assert.ok(rows.some((r) => r.startsWith('| 700 | n700 |')), 'the layer with an error is kept');
  assert.match(md, /950 more layers are left out here/);
  assert.ok(formatMarkdown({ ...base, layers }).length < 1_000_000);
});

test('limitRows keeps important items first and report order', () => {
  const r = limitRows([1, 2, 3, 4, 5, 6], 3, (n) => n % 2 === 0);
  assert.deepEqual(r, { rows: [2, 4, 6], omitted: 3 });
  assert.deepEqual(limitRows([1, 2, 3], 2, (n) => n === 3), { rows: [1, 3], omitted: 1 });
  assert.deepEqual(limitRows([1, 2], 5, () => false), { rows: [1, 2], omitted: 0 });
});

test('text: errors and warnings all listed, info/hint a few per code then counted', () => {
  const base = sampleReport();
  const info = Array.from({ length: 10 }, (_, i) => ({ code: 'variance-context', severity: 'info' as const, tensor: `t${i}`, node: `n${i}`, message: `context ${i}` }));
  const warn = Array.from({ length: 10 }, (_, i) => ({ code: 'variance-too-low', severity: 'warning' as const, tensor: `w${i}`, node: `m${i}`, message: `low ${i}` }));
  const text = formatText({ ...base, findings: [...info, ...warn] });
  for (let i = 0; i < 10; i++) assert.ok(text.includes(`low ${i}`), `warning ${i}`);
  assert.ok(text.includes('context 2') && !text.includes('context 3'));
  assert.match(text, /… variance-context: 7 more \(t3, t4, t5, t6, …\); --format json lists them all/);
  assert.ok(formatText({ ...base, findings: info }, { infoPerCode: 100 }).includes('context 9'));
});

test('text: a narrow terminal gets shorter names, then no weight column', () => {
  const long = sampleReport({ node: 'encoder.layers.11.self_attention.query_key_value.node', weight: 'encoder.layers.11.self_attention.query_key_value.weight' });
  const wide = formatText(long);
  const wideTable = wide.split('\n').filter((l) => /^\s+\d+\s{2}/.test(l));
  assert.ok(wideTable.some((l) => l.includes('weight') || l.includes('…')));
  const narrow = formatText(long, { width: 150 });
  const rows = narrow.split('\n').filter((l) => /^\s+\d+\s{2}/.test(l));
  assert.equal(rows.length, 3);
  for (const r of rows) assert.ok(displayWidth(r) <= 150 || /hidden/.test(narrow), `${displayWidth(r)}: ${r}`);
  const tiny = formatText(long, { width: 100 });
  assert.match(tiny, /\(narrow terminal: weight, Xavier std, He std columns hidden; --format html or json shows everything\)/);
  const header = tiny.split('\n').find((l) => /^\s+#\s+node/.test(l))!;
  assert.doesNotMatch(header, /Xavier std|He std/);
  assert.match(header, /\bstd\s+recommended\s+ratio\b/);
  assert.doesNotMatch(tiny.split('\n').find((l) => /^\s+#\s+node/.test(l))!, /\sweight\s/);
  assert.equal(formatText(long, { width: 10_000 }), wide);
});

test('json: the streamed pieces are exactly JSON.stringify(report, null, 2) with invisible characters escaped', () => {
  const escape = (t: string) => t.replace(/[<>&\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff\ufff9-\ufffb]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const reports = [sampleReport(), hostileReport(Object.values(HOSTILE).join('')), { ...sampleReport(), layers: [], tensors: [], extra: undefined }];
  for (const report of reports) {
    const pieces = [...formatJsonChunks(report)];
    assert.ok(pieces.length > 4, 'written in pieces');
    assert.equal(pieces.join(''), `${escape(JSON.stringify(report, null, 2))}\n`);
    assert.equal(formatJson(report), pieces.join(''));
    assert.deepEqual(JSON.parse(pieces.join('')), JSON.parse(JSON.stringify(report)));
  }
});
