import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSource, LimitExceededError, OnnxFormatError, parseModel, parseTensorProto, tensorValueChunks, NO_EXTERNAL_DATA } from '../../../src/core/index';
import { WireReader } from '../../../src/core/protobuf/wireReader';
import { cat, f32, fLen, fStr, fVarint, initializer, key, modelProto, T, tensorProto, u8, varint } from './pb';

const parse = (bytes: number[]) => parseModel(bytesSource(u8(bytes)));
const values = (bytes: number[]) => {
  const src = bytesSource(u8(bytes));
  const t = parseTensorProto(src);
  return { t, values: [...tensorValueChunks(t, { model: src, external: NO_EXTERNAL_DATA })].flatMap((c) => [...c]) };
};

test('varints: 10-byte maximum accepted, 11 bytes rejected, truncation reported', () => {
  const r = new WireReader(bytesSource(u8(varint(-1n))));
  assert.equal(r.int64(10), -1);
  assert.equal(r.pos, 10);
  const overlong = u8([...new Array(10).fill(0xff), 0x01]);
  assert.throws(() => new WireReader(bytesSource(overlong)).int64(11), (e: unknown) => e instanceof OnnxFormatError && /longer than 10 bytes/.test(e.message));
  assert.throws(() => new WireReader(bytesSource(u8([0x80, 0x80]))).uint64(2), (e: unknown) => e instanceof OnnxFormatError && /truncated/.test(e.message));
  const big = new WireReader(bytesSource(u8(varint(2n ** 62n))));
  assert.equal(big.int64Big(20), 2n ** 62n);
});

test('lengths are checked against the enclosing message, never wrapped to 32 bits', () => {
  for (const len of [2 ** 32, 2 ** 40, 2 ** 32 + 5]) {
    const bytes = cat(fVarint(1, 8), key(7, 2), varint(len), new Array(16).fill(0));
    assert.throws(() => parse(bytes), (e: unknown) => e instanceof OnnxFormatError && e.message.includes(`length ${len}`) && e.offset === 3);
  }
  // A raw_data length inside a correctly framed tensor that exceeds the tensor's own length.
  const tensor = cat(fStr(T.name, 'w'), key(T.rawData, 2), varint(3 * 2 ** 30), [1, 2, 3, 4]);
  assert.throws(() => parse(modelProto(initializer(tensor), fStr(10, 'doc after the tensor'))), (e: unknown) => e instanceof OnnxFormatError && /raw_data length 3221225472/.test(e.message) && /enclosing message/.test(e.message));
});

test('wire-type mismatches on known fields and groups are format errors; field 0 is invalid', () => {
  assert.throws(() => parse(cat(fLen(1, [8]), fLen(7))), /ModelProto\.ir_version \(field 1\) has wire type LEN, expected VARINT/);
  assert.throws(() => parse(cat(key(1, 3), key(1, 4))), /wire type/);
  assert.throws(() => parse(cat(fVarint(1, 8), key(99, 3))), /groups/);
  assert.throws(() => parse(cat(key(0, 0), [0])), /invalid field key/);
  assert.throws(() => parse(modelProto(initializer(cat(key(T.dataType, 2), varint(1), [1])))), /TensorProto\.data_type/);
});

test('unknown fields of all four non-group wire types are skipped at every level', () => {
  const unknown = cat(fVarint(999, 7), key(1000, 1), new Array(8).fill(1), fLen(1001, [1, 2, 3]), key(1002, 5), [0, 0, 0, 0]);
  const tensor = cat(tensorProto('w', 1, [2], fLen(T.rawData, f32(1.5), f32(-2))), unknown);
  const m = parse(cat(unknown, modelProto(initializer(tensor), unknown), unknown));
  assert.equal(m.graph.initializers.length, 1);
  assert.equal(m.graph.initializers[0]?.refusal, undefined);
});

test('packed and unpacked repeated fields decode to the same values', () => {
  const packed = values(tensorProto('a', 1, [3], fLen(T.floatData, f32(1), f32(2), f32(3))));
  const unpacked = values(cat(fVarint(T.dims, 3), fVarint(T.dataType, 1), ...[1, 2, 3].map((v) => cat(key(T.floatData, 5), f32(v)))));
  assert.deepEqual(packed.values, [1, 2, 3]);
  assert.deepEqual(unpacked.values, [1, 2, 3]);
  assert.deepEqual(unpacked.t.dims, [3]);
  assert.equal(unpacked.t.storage.kind === 'typed' && unpacked.t.storage.segments.length, 3);
  const mixed = values(cat(fVarint(T.dims, 4), fVarint(T.dataType, 7), fLen(T.int64Data, varint(-5), varint(7)), fVarint(T.int64Data, 9), fVarint(T.int64Data, 2 ** 40)));
  assert.deepEqual(mixed.values, [-5, 7, 9, 2 ** 40]);
});

test('reads across window boundaries decode identically (tiny window)', () => {
  const names = Array.from({ length: 40 }, (_, i) => `tensor_name_${i}_${'x'.repeat(i)}`);
  const bytes = modelProto(...names.map((n, i) => initializer(tensorProto(n, 1, [1], fLen(T.rawData, f32(i))))));
  const a = parseModel(bytesSource(u8(bytes)), { windowBytes: 64 });
  const b = parseModel(bytesSource(u8(bytes)));
  assert.deepEqual(a.graph.initializers.map((t) => t.name), names);
  assert.deepEqual(a.graph.initializers, b.graph.initializers);
});

test('a singular message field given twice is merged (protobuf semantics)', () => {
  const bytes = cat(fVarint(1, 8), fLen(8, fVarint(2, 17)),
    fLen(7, fStr(2, 'first'), initializer(tensorProto('w', 1, [1], fLen(T.rawData, f32(1))))),
    fLen(7, fStr(2, 'second'), initializer(tensorProto('w2', 1, [1], fLen(T.rawData, f32(2))))));
  const m = parse(bytes);
  assert.equal(m.graph.name, 'second');
  assert.deepEqual(m.graph.initializers.map((t) => t.name), ['w', 'w2']);
});

test('nesting limits: deep subgraphs are refused with a LimitExceededError, not a stack overflow', () => {
  // If -> then_branch -> If -> ... 100 levels deep.
  let graph = cat(fStr(2, 'leaf'));
  for (let i = 0; i < 100; i++) {
    const attr = cat(fStr(1, 'then_branch'), fVarint(20, 5), fLen(6, graph));
    graph = cat(fLen(1, fStr(4, 'If'), fLen(5, attr)), fStr(2, `g${i}`));
  }
  const bytes = cat(fVarint(1, 8), fLen(7, graph));
  assert.throws(() => parse(bytes), (e: unknown) => e instanceof LimitExceededError && /nested/.test(e.message));
  const ok = parseModel(bytesSource(u8(bytes)), { limits: { maxGraphDepth: 200, maxMessageDepth: 1000 } });
  assert.equal(ok.graph.name, 'g99');
});

test('non-models are rejected clearly', () => {
  assert.throws(() => parse([]), /empty file/);
  assert.throws(() => parse(fVarint(1, 8)), /no graph/);
  assert.throws(() => parse(Array.from(new TextEncoder().encode('<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\nagraph (float[N] X) => (float[N] Y) { Y = Relu(X) }'))), /text file/);
  assert.throws(() => parse([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0]), /ZIP archive/);
  const good = modelProto(initializer(tensorProto('w', 1, [1], fLen(T.rawData, f32(1)))));
  assert.throws(() => parse(cat(good, new Array(64).fill(0xff))), OnnxFormatError);
  assert.throws(() => parse(good.slice(0, good.length - 1)), /truncated|exceeds/);
});

test('parsing is lazy: a 16 MiB raw_data payload is located, not read', () => {
  const payload = 16 << 20;
  const head = u8(cat(fVarint(1, 8), fLen(8, fVarint(2, 17))));
  const tensorHead = cat(fLen(T.dims, varint(payload / 4)), fVarint(T.dataType, 1), fStr(T.name, 'big'), key(T.rawData, 2), varint(payload));
  const graphBody = cat(fStr(2, 'g'), key(5, 2), varint(tensorHead.length + payload));
  const graphLen = graphBody.length + tensorHead.length + payload;
  const prefix = u8(cat(head, key(7, 2), varint(graphLen), graphBody, tensorHead));
  const size = prefix.length + payload;
  let bytesRead = 0;
  const zeros = new Uint8Array(1 << 20);
  const source = {
    size,
    read(offset: number, length: number): Uint8Array {
      const n = Math.max(0, Math.min(length, size - offset));
      bytesRead += n;
      const out = new Uint8Array(n);
      if (offset < prefix.length) out.set(prefix.subarray(offset, Math.min(prefix.length, offset + n)));
      return n <= zeros.length && offset >= prefix.length ? zeros.subarray(0, n) : out;
    },
  };
  const m = parseModel(source);
  const t = m.graph.initializers[0]!;
  assert.deepEqual(t.storage, { kind: 'raw', offset: prefix.length, length: payload });
  assert.equal(t.refusal, undefined);
  assert.ok(bytesRead < 256 << 10, `parse read ${bytesRead} bytes`);
});

test('looksLikeOnnxModel sniffs the ModelProto header', async () => {
  const { looksLikeOnnxModel } = await import('../../../src/core/index');
  assert.equal(looksLikeOnnxModel(u8(modelProto(initializer(tensorProto('w', 1, [1], fLen(T.rawData, f32(1))))))), true);
  assert.equal(looksLikeOnnxModel(u8([])), false);
  assert.equal(looksLikeOnnxModel(u8([0x50, 0x4b, 3, 4, 0, 0, 0, 0])), false);
  assert.equal(looksLikeOnnxModel(new TextEncoder().encode('<\n ir_version: 8\n>\ngraph (float x) => (float y) {}')), false);
  assert.equal(looksLikeOnnxModel(u8([0xff, 0xff, 0xff])), false);
  assert.equal(looksLikeOnnxModel(u8(cat(fLen(1, [1])))), false);
});
