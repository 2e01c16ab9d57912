import { DataType } from '../model';

/**
 * Encodes numbers into the raw_data layout of a data type (little-endian, fixed width, IEEE;
 * 4-bit types two per byte, low nibble first, as onnx.proto specifies). Float16 and bfloat16 round
 * to nearest-even from the float32 value, as `numpy.astype(float16)` and `torch.bfloat16` do.
 */
export function encodeTensorValues(dataType: number, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  switch (dataType) {
    case DataType.FLOAT:
      return bytesOf(Float32Array.from(values as ArrayLike<number>));
    case DataType.DOUBLE:
      return bytesOf(Float64Array.from(values as ArrayLike<number>));
    case DataType.FLOAT16:
    case DataType.BFLOAT16: {
      const out = new Uint16Array(n);
      const conv = dataType === DataType.FLOAT16 ? float16Bits : bfloat16Bits;
      for (let i = 0; i < n; i++) out[i] = conv(values[i] as number);
      return bytesOf(out);
    }
    case DataType.INT8:
      return bytesOf(Int8Array.from(checkedInts(values, -128, 127)));
    case DataType.UINT8:
      return bytesOf(Uint8Array.from(checkedInts(values, 0, 255)));
    case DataType.BOOL:
      return bytesOf(Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0)));
    case DataType.INT16:
      return bytesOf(Int16Array.from(checkedInts(values, -32768, 32767)));
    case DataType.UINT16:
      return bytesOf(Uint16Array.from(checkedInts(values, 0, 65535)));
    case DataType.INT32:
      return bytesOf(Int32Array.from(checkedInts(values, -2147483648, 2147483647)));
    case DataType.UINT32:
      return bytesOf(Uint32Array.from(checkedInts(values, 0, 4294967295)));
    case DataType.INT64:
      return bytesOf(BigInt64Array.from(checkedInts(values, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), (v) => BigInt(v)));
    case DataType.UINT64:
      return bytesOf(BigUint64Array.from(checkedInts(values, 0, Number.MAX_SAFE_INTEGER), (v) => BigInt(v)));
    case DataType.INT4:
    case DataType.UINT4: {
      const [lo, hi] = dataType === DataType.INT4 ? [-8, 7] : [0, 15];
      const ints = checkedInts(values, lo, hi);
      const out = new Uint8Array(Math.ceil(n / 2));
      for (let i = 0; i < n; i++) out[i >> 1]! |= ((ints[i] as number) & 0xf) << ((i & 1) * 4);
      return out;
    }
    default:
      throw new Error(`encodeTensorValues: data type ${dataType} is not supported; pass raw bytes instead`);
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function checkedInts(values: ArrayLike<number>, lo: number, hi: number): ArrayLike<number> {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`value ${v} at index ${i} does not fit the integer range [${lo}, ${hi}]`);
  }
  return values;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `v` (rounded to float32 first, then to nearest-even half). */
export function float16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** bfloat16 bits of `v`: the top half of its float32 bits, rounded to nearest-even. */
export function bfloat16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0] as number;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
