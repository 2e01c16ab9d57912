import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSource, DataType, NO_EXTERNAL_DATA, TensorDecodeError, exactIntegerExtremes, parseTensorProto, tensorValueChunks, dataTypeInfo, rawByteLength } from '../../../src/core/index';
import { cat, f32, f64, fLen, key, T, tensorProto, u8, varint } from './pb';

function decode(bytes: number[], chunkElements?: number): { values: number[]; warnings: readonly string[] } {
  const src = bytesSource(u8(bytes));
  const t = parseTensorProto(src);
  assert.equal(t.refusal, undefined, t.refusal?.message);
  const chunks = [...tensorValueChunks(t, { model: src, external: NO_EXTERNAL_DATA }, chunkElements ? { chunkElements } : undefined)];
  return { values: chunks.flatMap((c) => [...c]), warnings: t.warnings };
}
const raw = (dt: number, n: number, bytes: number[]) => decode(tensorProto('t', dt, [n], fLen(T.rawData, bytes))).values;
const int32Data = (dt: number, n: number, entries: number[]) => decode(tensorProto('t', dt, [n], fLen(T.int32Data, ...entries.map((e) => varint(e)))));
const le16 = (...v: number[]) => v.flatMap((x) => [x & 0xff, x >> 8]);

test('float16: normals, ±Inf, NaN, ±0, smallest denormal, max; raw and int32_data', () => {
  const bits = [0x3c00, 0xc000, 0x7c00, 0xfc00, 0x7e00, 0x0000, 0x8000, 0x0001, 0x03ff, 0x7bff, 0x3555];
  const expected = [1, -2, Infinity, -Infinity, NaN, 0, -0, 2 ** -24, 1023 * 2 ** -24, 65504, 0.333251953125];
  assert.deepEqual(raw(DataType.FLOAT16, bits.length, le16(...bits)), expected);
  const typed = int32Data(DataType.FLOAT16, bits.length, bits);
  assert.deepEqual(typed.values, expected);
  assert.deepEqual(typed.warnings, []);
  const high = int32Data(DataType.FLOAT16, 2, [0x3c00, 0x1bc00]);
  assert.deepEqual(high.values, [1, -1]);
  assert.match(high.warnings[0] ?? '', /bits above 16/);
});

test('bfloat16: 1, -Inf, NaN, denormal, max', () => {
  const bits = [0x3f80, 0xff80, 0x7fc0, 0x0001, 0x7f7f, 0x8000];
  const expected = [1, -Infinity, NaN, 2 ** -133, (2 - 2 ** -7) * 2 ** 127, -0];
  assert.deepEqual(raw(DataType.BFLOAT16, bits.length, le16(...bits)), expected);
  assert.deepEqual(int32Data(DataType.BFLOAT16, bits.length, bits).values, expected);
});

test('the four float8 types, float8e8m0 and float4e2m1 decode every special pattern exactly', () => {
  const cases: [number, number[], number[]][] = [
    [DataType.FLOAT8E4M3FN, [0x38, 0x7e, 0x7f, 0xff, 0x01, 0x80, 0xb8, 0x08], [1, 448, NaN, NaN, 2 ** -9, -0, -1, 2 ** -6]],
    [DataType.FLOAT8E4M3FNUZ, [0x40, 0x7f, 0x80, 0x01, 0x00, 0xc0], [1, 240, NaN, 2 ** -10, 0, -1]],
    [DataType.FLOAT8E5M2, [0x3c, 0x7c, 0xfc, 0x7d, 0x7b, 0x01, 0x80], [1, Infinity, -Infinity, NaN, 57344, 2 ** -16, -0]],
    [DataType.FLOAT8E5M2FNUZ, [0x40, 0x7f, 0x80, 0x01, 0xc0], [1, 57344, NaN, 2 ** -17, -1]],
    [DataType.FLOAT8E8M0, [127, 0, 254, 255, 128], [1, 2 ** -127, 2 ** 127, NaN, 2]],
  ];
  for (const [dt, bits, expected] of cases) {
    assert.deepEqual(raw(dt, bits.length, bits), expected, `raw ${dt}`);
    assert.deepEqual(int32Data(dt, bits.length, bits).values, expected, `int32_data ${dt}`);
  }
  const fp4 = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6];
  const packedBytes = Array.from({ length: 8 }, (_, i) => (2 * i) | ((2 * i + 1) << 4));
  assert.deepEqual(raw(DataType.FLOAT4E2M1, 16, packedBytes), fp4);
  assert.deepEqual(raw(DataType.FLOAT4E2M1, 3, [0x21, 0xf7]), [0.5, 1, 6]);
});

test('packed int4 / uint4 / int2 / uint2: low bits first, odd counts, raw and int32_data', () => {
  assert.deepEqual(raw(DataType.INT4, 3, [0x8f, 0x07]), [-1, -8, 7]);
  assert.deepEqual(raw(DataType.UINT4, 3, [0x8f, 0x07]), [15, 8, 7]);
  assert.deepEqual(raw(DataType.INT2, 5, [0b11100100, 0b00000011]), [0, 1, -2, -1, -1]);
  assert.deepEqual(raw(DataType.UINT2, 5, [0b11100100, 0b00000010]), [0, 1, 2, 3, 2]);
  assert.deepEqual(int32Data(DataType.INT4, 3, [0x8f, 0x07]).values, [-1, -8, 7]);
  assert.deepEqual(int32Data(DataType.UINT2, 6, [0b11100100, 0b0101]).values, [0, 1, 2, 3, 1, 1]);
  assert.equal(rawByteLength(DataType.INT4, 3), 2);
  assert.equal(rawByteLength(DataType.INT2, 5), 2);
});

test('integer types, bool and double from raw_data (little-endian) and typed fields', () => {
  assert.deepEqual(raw(DataType.INT8, 3, [0x80, 0x7f, 0xff]), [-128, 127, -1]);
  assert.deepEqual(raw(DataType.UINT8, 2, [0, 255]), [0, 255]);
  assert.deepEqual(raw(DataType.INT16, 2, [0x00, 0x80, 0xff, 0x7f]), [-32768, 32767]);
  assert.deepEqual(raw(DataType.UINT16, 1, [0xff, 0xff]), [65535]);
  assert.deepEqual(raw(DataType.INT32, 2, [0, 0, 0, 0x80, 1, 0, 0, 0]), [-(2 ** 31), 1]);
  assert.deepEqual(raw(DataType.UINT32, 1, [0xff, 0xff, 0xff, 0xff]), [2 ** 32 - 1]);
  const i64 = [-1n, 2n ** 53n + 1n, -(2n ** 63n)];
  const i64bytes = i64.flatMap((v) => Array.from(new Uint8Array(new BigInt64Array([v]).buffer)));
  assert.deepEqual(raw(DataType.INT64, 3, i64bytes), i64.map(Number));
  assert.deepEqual(raw(DataType.UINT64, 1, new Array(8).fill(0xff)), [2 ** 64]);
  assert.deepEqual(raw(DataType.BOOL, 3, [0, 1, 2]), [0, 1, 1]);
  assert.deepEqual(raw(DataType.DOUBLE, 2, [...f64(Math.PI), ...f64(-0)]), [Math.PI, -0]);
  assert.deepEqual(int32Data(DataType.INT8, 2, [-5, 300]).values, [-5, 44]);
  assert.deepEqual(int32Data(DataType.BOOL, 2, [0, 7]).values, [0, 1]);
  assert.deepEqual(decode(tensorProto('t', DataType.DOUBLE, [2], fLen(T.doubleData, f64(1.25), f64(-3)))).values, [1.25, -3]);
  assert.deepEqual(decode(tensorProto('t', DataType.UINT64, [2], fLen(T.uint64Data, varint(2n ** 64n - 1n), varint(3)))).values, [2 ** 64, 3]);
  assert.deepEqual(decode(tensorProto('t', DataType.UINT32, [1], fLen(T.uint64Data, varint(4294967295)))).values, [4294967295]);
});

test('exact INT64 / UINT64 extremes beyond 2^53', () => {
  const src = bytesSource(u8(tensorProto('t', DataType.UINT64, [2], fLen(T.uint64Data, varint(2n ** 64n - 1n), varint(2n ** 53n + 1n)))));
  const t = parseTensorProto(src);
  assert.deepEqual(exactIntegerExtremes(t, { model: src, external: NO_EXTERNAL_DATA }), { min: 2n ** 53n + 1n, max: 2n ** 64n - 1n });
  const b = new BigInt64Array([-(2n ** 62n) - 1n, 5n]);
  const src2 = bytesSource(u8(tensorProto('t', DataType.INT64, [2], fLen(T.rawData, Array.from(new Uint8Array(b.buffer))))));
  assert.deepEqual(exactIntegerExtremes(parseTensorProto(src2), { model: src2, external: NO_EXTERNAL_DATA }), { min: -(2n ** 62n) - 1n, max: 5n });
});

test('chunking: any chunk size yields the same values, chunks stay bounded', () => {
  const n = 1000;
  const vals = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const f = Array.from(new Uint8Array(new Float32Array(vals).buffer));
  const whole = decode(tensorProto('t', DataType.FLOAT, [n], fLen(T.rawData, f))).values;
  for (const chunk of [8, 13, 64, 999]) {
    const src = bytesSource(u8(tensorProto('t', DataType.FLOAT, [n], fLen(T.rawData, f))));
    const t = parseTensorProto(src);
    const chunks = [...tensorValueChunks(t, { model: src, external: NO_EXTERNAL_DATA }, { chunkElements: chunk })];
    assert.ok(chunks.every((c) => c.length <= Math.max(8, chunk)));
    assert.deepEqual(chunks.flatMap((c) => [...c]), whole);
  }
  assert.deepEqual(whole, vals.map((v) => Math.fround(v)));
  const typed = tensorProto('t', DataType.FLOAT, [n], ...vals.map((v) => cat(key(T.floatData, 5), f32(v))));
  assert.deepEqual(decode(typed, 7).values, whole);
  const int4 = decode(tensorProto('t', DataType.INT4, [999], fLen(T.rawData, new Array(500).fill(0x9e))), 16).values;
  assert.equal(int4.length, 999);
  assert.deepEqual([...new Set(int4)].sort((a, b) => a - b), [-7, -2]);
});

test('size checks refuse tensors at decode time, never allocating from declared dims', () => {
  const refusal = (bytes: number[]) => parseTensorProto(bytesSource(u8(bytes))).refusal?.rule;
  assert.equal(refusal(tensorProto('t', 1, [10], fLen(T.rawData, new Array(39).fill(0)))), 'raw-data-size-mismatch');
  assert.equal(refusal(tensorProto('t', 1, [1e6, 1e6], fLen(T.rawData, [0, 0, 0, 0]))), 'raw-data-size-mismatch');
  assert.equal(refusal(tensorProto('t', 1, [2 ** 27, 2 ** 27], fLen(T.rawData, new Array(16).fill(0)))), 'dims-product-too-large');
  assert.equal(refusal(tensorProto('t', 1, [-2, -2], fLen(T.rawData, new Array(16).fill(0)))), 'dims-negative');
  assert.equal(refusal(cat(fLen(T.dims, varint(2n ** 62n), varint(4)), key(T.dataType, 0), varint(1))), 'dims-too-large');
  assert.equal(refusal(tensorProto('t', 1, [1e8], fLen(T.floatData, f32(1), f32(2)))), 'typed-data-count-mismatch');
  assert.equal(refusal(tensorProto('t', 999, [4], fLen(T.rawData, new Array(16).fill(0)))), 'unknown-data-type');
  assert.equal(refusal(tensorProto('t', 0, [4], fLen(T.rawData, new Array(16).fill(0)))), 'undefined-data-type');
  assert.equal(refusal(tensorProto('t', 1, [2], fLen(T.rawData, new Array(8).fill(0)), fLen(T.floatData, f32(1), f32(2)))), 'multiple-data-fields');
  assert.equal(refusal(tensorProto('t', 8, [1], fLen(T.rawData, [65]))), 'string-in-raw-data');
  assert.equal(refusal(tensorProto('t', 1, [4], fLen(T.segment, key(1, 0), varint(0)), fLen(T.rawData, new Array(8).fill(0)))), 'segment-unsupported');
  assert.equal(refusal(tensorProto('t', 1, [2], fLen(T.int64Data, varint(1), varint(2)))), 'typed-field-mismatch');
  assert.equal(refusal(tensorProto('t', 1, [3])), 'no-data');
  assert.equal(refusal(tensorProto('t', 1, [0, 3])), undefined);
});

test('string and complex tensors are recognised and skipped for statistics with a reason', () => {
  assert.equal(dataTypeInfo(DataType.STRING)?.numeric, false);
  assert.match(dataTypeInfo(DataType.COMPLEX64)?.skipReason ?? '', /complex/);
  const src = bytesSource(u8(tensorProto('s', DataType.STRING, [2], fLen(T.stringData, [104, 105]), fLen(T.stringData, []))));
  const t = parseTensorProto(src);
  assert.equal(t.refusal, undefined);
  assert.throws(() => [...tensorValueChunks(t, { model: src, external: NO_EXTERNAL_DATA })], (e: unknown) => e instanceof TensorDecodeError && e.rule === 'not-numeric' && /text/.test(e.message));
});

test('raw FLOAT / INT32 decode identically at aligned and unaligned byte offsets', () => {
  const vals = [1.5, -2.25, Math.fround(3e-5), 7];
  const f = Array.from(new Uint8Array(new Float32Array(vals).buffer));
  for (let pad = 0; pad < 4; pad++) {
    // A doc_string of `pad` bytes before the data shifts raw_data's offset in the buffer.
    const bytes = cat(pad > 0 ? fLen(12, new Array(pad).fill(65)) : [], tensorProto('t', DataType.FLOAT, [4], fLen(T.rawData, f)));
    assert.deepEqual(decode(bytes).values, vals, `pad ${pad}`);
    const ints = Array.from(new Uint8Array(new Int32Array([-7, 1 << 30, 0, 5]).buffer));
    assert.deepEqual(decode(cat(pad > 0 ? fLen(12, new Array(pad).fill(65)) : [], tensorProto('t', DataType.INT32, [4], fLen(T.rawData, ints)))).values, [-7, 1 << 30, 0, 5]);
  }
});
