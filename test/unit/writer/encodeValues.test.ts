import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16Bits, encodeTensorValues, float16Bits } from '../../../src/core/onnx/writer/encodeValues';
import { DataType } from '../../../src/core/onnx/model';

test('float16 rounds to nearest-even like numpy, with subnormals, overflow and NaN', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519, 0x7bff], // below the halfway point to 65536
    [65520, 0x7c00], // halfway rounds to even = infinity
    [Infinity, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie -> even (0)
    [3 * 2 ** -25, 0x0002], // tie -> even (2)
    [1e-9, 0x0000],
    [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10 -> even
    [1 + 3 * 2 ** -11, 0x3c02],
    [0.1, 0x2e66],
  ];
  for (const [v, bits] of cases) assert.equal(float16Bits(v), bits, `float16(${v})`);
  const nan = float16Bits(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0);
});

test('bfloat16 keeps the top 16 bits, rounded to nearest-even', () => {
  assert.equal(bfloat16Bits(1), 0x3f80);
  assert.equal(bfloat16Bits(-2), 0xc000);
  assert.equal(bfloat16Bits(1 + 2 ** -8), 0x3f80); // tie -> even
  assert.equal(bfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie -> even (up)
  assert.equal(bfloat16Bits(3.4028234663852886e38), 0x7f80); // max float rounds up to +inf
  assert.equal(bfloat16Bits(0.1), 0x3dcd);
  assert.equal(bfloat16Bits(NaN) & 0x7fc0, 0x7fc0);
});

test('raw layouts are little-endian fixed width; int4 packs low nibble first', () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  assert.equal(hex(encodeTensorValues(DataType.FLOAT, [1, -2])), '0000803f000000c0');
  assert.equal(hex(encodeTensorValues(DataType.DOUBLE, [1])), '000000000000f03f');
  assert.equal(hex(encodeTensorValues(DataType.FLOAT16, [1, 65504])), '003cff7b');
  assert.equal(hex(encodeTensorValues(DataType.BFLOAT16, [1])), '803f');
  assert.equal(hex(encodeTensorValues(DataType.INT8, [-1, 127])), 'ff7f');
  assert.equal(hex(encodeTensorValues(DataType.UINT8, [255])), 'ff');
  assert.equal(hex(encodeTensorValues(DataType.BOOL, [0, 1, 5])), '000101');
  assert.equal(hex(encodeTensorValues(DataType.INT32, [-2])), 'feffffff');
  assert.equal(hex(encodeTensorValues(DataType.INT64, [-1, 2 ** 40])), 'ffffffffffffffff' + '0000000000010000');
  assert.equal(hex(encodeTensorValues(DataType.INT4, [1, -1, 7])), 'f107');
  assert.equal(hex(encodeTensorValues(DataType.UINT4, [15, 0, 3])), '0f03');
  assert.throws(() => encodeTensorValues(DataType.INT8, [128]), /does not fit/);
  assert.throws(() => encodeTensorValues(DataType.INT32, [0.5]), /does not fit/);
  assert.throws(() => encodeTensorValues(DataType.STRING, [1]), /not supported/);
});
