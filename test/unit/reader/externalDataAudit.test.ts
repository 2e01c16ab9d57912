// The external-data layout audit (every overlapping pair, capped; unreferenced bytes beside
// alignment padding; one file under two spellings) and its findings in the analysis report
// (`external-data-overlap`, `external-data-unreferenced`) in every output format; the byte
// offsets of TensorDecodeError and the name of LimitExceededError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyzeModel, auditExternalData, bytesSource, DataType, LimitExceededError, NO_EXTERNAL_DATA, OnnxFormatError, parseModel,
  TensorDecodeError, tensorValueChunks, type ExternalDataHost, type Report, type TensorRef,
} from '../../../src/core/index';
import { isAlignmentPadding, MAX_LISTED_OVERLAPS } from '../../../src/core/onnx/externalDataAudit';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { formatHtml } from '../../../src/core/report/format/formatHtml';
import { formatMarkdown } from '../../../src/core/report/format/formatMarkdown';
import { formatText } from '../../../src/core/report/format/formatText';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { openFileSource } from '../../../src/node/fileSource';
import { cat, fLen, fStr, fVarint, u8 } from './pb';

const region = (name: string, offset: number, length: number, location = 'data.bin'): TensorRef => ({
  name, dataType: DataType.UINT8, dims: [length], elementCount: length, refusal: undefined, warnings: [], protoOffset: 0,
  storage: { kind: 'external', location, offset, length, checksum: undefined },
});
const pairs = (a: ReturnType<typeof auditExternalData>): string[] => a.overlaps.map((o) => `${o.a.tensor}/${o.b.tensor}@${o.offset}+${o.length}`);

test('audit: every overlapping pair is reported, not only the one with the furthest-reaching region', () => {
  // a covers b and c; b and c also overlap each other (the old sweep missed b/c).
  const a = auditExternalData([region('a', 0, 100), region('b', 10, 10), region('c', 15, 15), region('d', 200, 10)], () => 300);
  assert.deepEqual(pairs(a), ['a/b@10+10', 'a/c@15+15', 'b/c@15+5']);
  assert.equal(a.overlapCount, 3);
  assert.deepEqual(a.files[0]?.unreferenced, [{ offset: 100, length: 100 }, { offset: 210, length: 90 }]);
  // Same start, and a region that ends exactly where the next starts (no overlap).
  const b = auditExternalData([region('x', 0, 8), region('y', 0, 4), region('z', 8, 8)], () => 16);
  assert.deepEqual(pairs(b), ['y/x@0+4']);
  assert.deepEqual(b.files[0]?.unreferenced, []);
});

test('audit: the pair list is capped and the total counted (no quadratic blow-up)', () => {
  const many = Array.from({ length: 30 }, (_, i) => region(`t${i}`, i, 1000));
  const a = auditExternalData(many, () => 2000);
  assert.equal(a.overlaps.length, MAX_LISTED_OVERLAPS);
  assert.equal(a.overlapCount, (30 * 29) / 2);
  const few = auditExternalData(many, () => 2000, { maxOverlaps: 3 });
  assert.deepEqual(pairs(few), ['t0/t1@1+999', 't0/t2@2+998', 't1/t2@2+999']);
  // 20,000 tensors over the same bytes: 2e8 pairs counted, 100 listed, fast.
  const t0 = performance.now();
  const huge = auditExternalData(Array.from({ length: 20_000 }, (_, i) => region(`h${i}`, 0, 64)), () => 64);
  assert.equal(huge.overlapCount, (20_000 * 19_999) / 2);
  assert.equal(huge.overlaps.length, MAX_LISTED_OVERLAPS);
  assert.ok(performance.now() - t0 < 2000, `took ${(performance.now() - t0).toFixed(0)} ms`);
});

test('audit: two spellings of one file (same identity) are one file', () => {
  const identity = (location: string) => ({ size: 64, identity: location.includes('data') ? 'same' : location });
  const a = auditExternalData([region('a', 0, 32, 'data.bin'), region('b', 16, 32, 'link/data.bin'), region('c', 0, 64, 'other.bin')], identity);
  assert.equal(a.files.length, 2);
  assert.deepEqual(pairs(a), ['a/b@16+16']);
  assert.equal(a.files[0]?.location, 'data.bin');
});

test('audit: alignment padding is told apart from unreferenced bytes', () => {
  assert.equal(isAlignmentPadding({ offset: 100, length: 3996 }, 10_000), true);
  assert.equal(isAlignmentPadding({ offset: 100, length: 65436 }, 100_000), true);
  assert.equal(isAlignmentPadding({ offset: 100, length: 100 }, 10_000), false, 'does not end on a page boundary');
  assert.equal(isAlignmentPadding({ offset: 0, length: 131072 }, 200_000), false, 'too long to be padding');
  assert.equal(isAlignmentPadding({ offset: 4000, length: 96 }, 4096), false, 'the end of the file is not padding');
});

const f32 = (values: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
const VALUES = Array.from({ length: 16 }, (_, i) => (i - 7.5) / 10);

function writeExternalModel(dir: string, data: Uint8Array, tensors: readonly TensorSpec[]): string {
  writeFileSync(join(dir, 'w.bin'), data);
  const nodes = tensors.map((t, i) => ({ opType: 'MatMul', inputs: [i === 0 ? 'x' : `h${i - 1}`, t.name as string], outputs: [i === tensors.length - 1 ? 'y' : `h${i}`] }));
  const bytes = encodeModel({
    irVersion: 10, opsetImports: [{ domain: '', version: 21 }],
    graph: { name: 'g', nodes, initializers: tensors, inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 4] }], outputs: [{ name: 'y', elemType: DataType.FLOAT }] },
  });
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytes);
  return path;
}

function analyzeFile(path: string): Report {
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try {
    return analyzeModel({ source, external, path });
  } finally {
    external.close();
    source.close();
  }
}

const ext = (name: string, offset: number, location = 'w.bin'): TensorSpec => ({ name, dataType: DataType.FLOAT, dims: [4, 4], external: { location, offset, length: 64 } });

test('analyze: overlapping and unreferenced external data become findings in every format', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // E1 [0, 64), E2 [32, 96), E3 [64, 128), then 200 bytes nobody reads.
  const data = new Uint8Array(128 + 200);
  data.set(f32([...VALUES, ...VALUES]));
  const path = writeExternalModel(dir, data, [ext('E1', 0), ext('E2', 32), ext('E3', 64)]);
  const report = analyzeFile(path);
  const overlap = report.findings.filter((f) => f.code === 'external-data-overlap');
  assert.deepEqual(overlap.map((f) => [f.severity, f.tensor, (f.data?.tensors as string[]).join('/'), f.data?.offset, f.data?.length]), [
    ['warning', 'E2', 'E1/E2', 32, 32],
    ['warning', 'E3', 'E2/E3', 64, 32],
  ]);
  assert.match(overlap[0]?.message ?? '', /"E1" and "E2" share 32 bytes of external data file "w\.bin" \(bytes 32–64/);
  const unref = report.findings.filter((f) => f.code === 'external-data-unreferenced');
  assert.equal(unref.length, 1);
  assert.equal(unref[0]?.severity, 'info');
  assert.deepEqual([unref[0]?.data?.file, unref[0]?.data?.bytes, unref[0]?.data?.offsets, unref[0]?.data?.lengths, unref[0]?.data?.fileSize], ['w.bin', 200, [128], [200], 328]);
  assert.match(unref[0]?.message ?? '', /200 of the 328 bytes of external data file "w\.bin" are not referenced by any tensor/);
  for (const [format, text] of [['text', formatText(report)], ['markdown', formatMarkdown(report)], ['html', formatHtml(report)]] as const) {
    assert.ok(text.includes('external-data-overlap'), `${format} shows the overlap`);
    assert.ok(text.includes('external-data-unreferenced'), `${format} shows the unreferenced bytes`);
  }
});

test('analyze: the same file through a symlinked folder is audited as one file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'real'));
  symlinkSync('real', join(dir, 'alias'), 'dir');
  writeFileSync(join(dir, 'real', 'w.bin'), f32([...VALUES, ...VALUES.slice(0, 8)]));
  const path = writeExternalModel(dir, new Uint8Array(0), [ext('A', 0, 'real/w.bin'), ext('B', 32, 'alias/w.bin')]);
  const report = analyzeFile(path);
  const overlap = report.findings.filter((f) => f.code === 'external-data-overlap');
  assert.deepEqual(overlap.map((f) => f.data?.tensors), [['A', 'B']]);
  assert.equal(overlap[0]?.data?.file, 'real/w.bin', 'named by the first spelling');
  assert.deepEqual(report.findings.filter((f) => f.code === 'external-data-unreferenced'), [], 'A and B cover the file (files no tensor names are not audited)');
});

test('analyze: a clean layout (and alignment padding) gives no external-data findings; severity overrides apply', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // E1 at 0, E2 aligned at 4096 after 4032 bytes of padding, file ends with E2.
  const data = new Uint8Array(4096 + 64);
  data.set(f32(VALUES), 0);
  data.set(f32(VALUES), 4096);
  const path = writeExternalModel(dir, data, [ext('E1', 0), ext('E2', 4096)]);
  const report = analyzeFile(path);
  assert.deepEqual(report.findings.filter((f) => f.code.startsWith('external-data-')), []);
  // The same file with bytes after E2: reported, and `off` silences it.
  writeFileSync(join(dir, 'w.bin'), new Uint8Array([...data, 1, 2, 3]));
  assert.equal(analyzeFile(path).findings.filter((f) => f.code === 'external-data-unreferenced').length, 1);
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try {
    const quiet = analyzeModel({ source, external, path }, { severityOverrides: { 'external-data-unreferenced': 'off' } });
    assert.equal(quiet.findings.filter((f) => f.code === 'external-data-unreferenced').length, 0);
  } finally {
    external.close();
    source.close();
  }
});

test('analyze: refused external tensors are not audited (no finding built on a refused range)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = writeExternalModel(dir, f32(VALUES), [ext('E1', 0), ext('BAD', 32)]);
  const report = analyzeFile(path);
  assert.ok(report.findings.some((f) => f.code === 'tensor-refused' && f.tensor === 'BAD'));
  assert.deepEqual(report.findings.filter((f) => f.code.startsWith('external-data-')), []);
});

test('TensorDecodeError: truncated data carries the absolute byte offset where the data ends', () => {
  const file = new Uint8Array(1000 + 64);
  // The host says 1064 bytes but the file ends at 1040 (it shrank while being read).
  const host: ExternalDataHost = { open: (location) => ({ location, source: { size: 1064, read: (o, l) => file.subarray(Math.min(o, 1040), Math.min(o + l, 1040)) } }) };
  const t: TensorRef = { ...region('T', 1000, 64, 'w.bin'), dataType: DataType.FLOAT, dims: [16], elementCount: 16 };
  assert.throws(() => [...tensorValueChunks(t, { model: bytesSource(new Uint8Array(0)), external: host })], (e: unknown) => {
    assert.ok(e instanceof TensorDecodeError);
    assert.equal(e.rule, 'truncated-data');
    assert.equal(e.tensor, 'T');
    assert.equal(e.offset, 1040);
    assert.match(e.message, /^tensor "T": data ends after 40 of 64 bytes: external data file "w\.bin" ends early .*\(at byte offset 1040\)$/);
    return true;
  });
});

test('TensorDecodeError: a typed field with too few values carries the field offset', () => {
  const model = new Uint8Array(64);
  model.set(f32([1, 2]), 20);
  const t: TensorRef = {
    name: 'F', dataType: DataType.FLOAT, dims: [4], elementCount: 4, refusal: undefined, warnings: [], protoOffset: 0,
    storage: { kind: 'typed', field: 'float_data', segments: [{ offset: 20, length: 8, packed: true }] },
  };
  assert.throws(() => [...tensorValueChunks(t, { model: bytesSource(model), external: NO_EXTERNAL_DATA })], (e: unknown) =>
    e instanceof TensorDecodeError && e.rule === 'typed-data-count-mismatch' && e.offset === 20 && /holds 2 values, dims expect 4 \(at byte offset 20\)$/.test(e.message));
});

test('LimitExceededError has its own name and is still an OnnxFormatError', () => {
  let graph = cat(fStr(2, 'leaf'));
  for (let i = 0; i < 10; i++) graph = cat(fLen(1, fStr(4, 'If'), fLen(5, cat(fStr(1, 'then_branch'), fVarint(20, 5), fLen(6, graph)))), fStr(2, `g${i}`));
  assert.throws(() => parseModel(bytesSource(u8(cat(fVarint(1, 8), fLen(7, graph)))), { limits: { maxGraphDepth: 4 } }), (e: unknown) =>
    e instanceof LimitExceededError && e instanceof OnnxFormatError && e.name === 'LimitExceededError' && typeof e.offset === 'number' && /at byte offset \d+/.test(e.message));
});
