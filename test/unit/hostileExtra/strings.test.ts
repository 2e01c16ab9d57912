// Hostile strings in every field a report prints (producer, domain, doc_string, metadata keys and
// values, graph / node / tensor names, op_type, node domain, attribute names), including raw
// invalid UTF-8 patched into the encoded bytes: every format must come out inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../../src/core/onnx/model';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ModelSpec } from '../../../src/core/onnx/writer/modelSpec';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSafeOutput, assertSafeRun, cliChild, floatTensor, sweep, tempDir } from './harness';

const PAYLOADS = [
  '</script><script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '--><!--',
  '{{constructor.constructor("alert(1)")()}}',
  '| a | b |\n|---|---|\n[x](javascript:alert(1))',
  '\u001b[2J\u001b[H\u001b]8;;http://evil.invalid\u0007click\u001b]8;;\u0007',
  'gpj.\u202Eexe\u2066\u2069\u200F',
  'nul\u0000inside',
  '\u2028line\u2029para\r\nCRLF\u0085NEL\u009b31m',
];
const P = PAYLOADS.join(' ');
/** Placeholder bytes later overwritten with invalid UTF-8 (same length). */
const BAD_UTF8_MARK = 'QQQQQQ';
const BAD_UTF8 = [0xed, 0xa0, 0x80, 0xff, 0xc0, 0x80];

function hostileSpec(long: boolean): ModelSpec {
  const name = (base: string): string => (long ? `${base}${P}${'N'.repeat(1 << 20)}${P}` : `${base}${P}`);
  const W = name('W');
  const B = name('B');
  const G = name('G');
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }, { domain: `dom${P}`, version: 1 }],
    producerName: `prod${P}${BAD_UTF8_MARK}`,
    producerVersion: `ver${P}`,
    domain: `mdom${P}`,
    docString: `doc${P}`,
    metadata: [{ key: `key${P}`, value: `value${P}${BAD_UTF8_MARK}` }, { key: 'k2', value: P }],
    graph: {
      name: name('graph'),
      docString: `gdoc${P}`,
      nodes: [
        { opType: 'Conv', name: name('conv'), inputs: ['x', W, B], outputs: ['c'], attributes: { kernel_shape: [3, 3], [`pads${P}`]: [1, 1, 1, 1] }, docString: P },
        { opType: 'Relu', name: `relu${BAD_UTF8_MARK}`, inputs: ['c'], outputs: ['r'] },
        { opType: `Op${P}`, domain: `dom${P}`, name: 'custom', inputs: ['r', G], outputs: ['y'], attributes: { [`attr${P}`]: `val${P}` } },
      ],
      initializers: [floatTensor(W, [8, 3, 3, 3]), floatTensor(B, [8], new Float32Array(8)), floatTensor(G, [8, 4])],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 3, `dim${P}`, 8] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, docString: P }],
    },
  };
}

function writeHostile(dir: string, long: boolean): string {
  const bytes = encodeModel(hostileSpec(long));
  const mark = new TextEncoder().encode(BAD_UTF8_MARK);
  let patched = 0;
  for (let i = 0; i + mark.length <= bytes.length; i++) {
    if (mark.every((b, j) => bytes[i + j] === b)) {
      bytes.set(BAD_UTF8, i);
      patched++;
    }
  }
  assert.equal(patched, 3, 'invalid UTF-8 patched into producer, a metadata value and a node name');
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytes);
  return path;
}

test('hostile strings in every printed field: inspect and analyze in every format stay inert', { timeout: 180_000 }, async () => {
  const t = tempDir();
  try {
    const path = writeHostile(t.dir, false);
    const r = await sweep(path, 'strings');
    for (const [format, run] of Object.entries(r.analyze)) assert.notEqual(run.code, 2, `${format}: ${run.stderr}`);
    // The strings are shown (escaped), not dropped: the report still names the weight.
    const layers = (r.report?.layers ?? []) as { weight: string }[];
    assert.ok(layers.some((l) => l.weight.startsWith('W</script>')), 'the conv weight is reported under its (hostile) name');
    assert.match(r.analyze.text.stdout, /W<\/script>/);
    assert.match(r.analyze.html.stdout, /&lt;\/script&gt;/);
  } finally {
    t.done();
  }
});

test('hostile strings with 1 MiB names: bounded output and time in every format', { timeout: 180_000 }, async () => {
  const t = tempDir();
  try {
    const path = writeHostile(t.dir, true);
    const r = await sweep(path, 'strings-long', 20_000);
    for (const [format, run] of Object.entries(r.analyze)) {
      assert.notEqual(run.code, 2, `${format}: ${run.stderr}`);
      if (format === 'text' || format === 'markdown') assert.ok(run.stdout.length < 200_000, `${format}: ${run.stdout.length} chars for 1 MiB names (not elided)`);
    }
    assert.ok(r.inspect.stdout.length < 200_000, `inspect prints ${r.inspect.stdout.length} chars`);
  } finally {
    t.done();
  }
});

test('hostile strings through the real CLI (child process): text and html', { timeout: 180_000 }, () => {
  const t = tempDir();
  try {
    const path = writeHostile(t.dir, false);
    for (const format of ['text', 'html'] as const) {
      const r = cliChild('analyze', path, '--format', format, '--fail-on', 'never');
      assertSafeRun(r, `cli ${format}`, 30_000);
      assert.equal(r.code, 0, r.stderr);
      assertSafeOutput(format, r.stdout, `cli ${format}`);
    }
    const i = cliChild('inspect', path);
    assertSafeRun(i, 'cli inspect', 30_000);
    assertSafeOutput('inspect', i.stdout, 'cli inspect');
  } finally {
    t.done();
  }
});
