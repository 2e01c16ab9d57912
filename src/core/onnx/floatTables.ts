/**
 * Exact float64 values of every bit pattern of the small float types (onnx.proto / the OCP
 * float8 spec / IEEE 754), as lookup tables built on first use: decoding is then one indexed
 * load per element.
 */

interface MiniFloat {
  readonly expBits: number;
  readonly mantBits: number;
  readonly bias: number;
  /** 'ieee': max exponent is Inf/NaN; 'fn': only all-ones is NaN, no Inf; 'fnuz': 0x80 is NaN, no -0, no Inf. */
  readonly special: 'ieee' | 'fn' | 'fnuz' | 'none';
}

function miniFloatValue(bits: number, f: MiniFloat): number {
  const total = 1 + f.expBits + f.mantBits;
  const sign = (bits >> (total - 1)) & 1;
  const exp = (bits >> f.mantBits) & ((1 << f.expBits) - 1);
  const mant = bits & ((1 << f.mantBits) - 1);
  const maxExp = (1 << f.expBits) - 1;
  if (f.special === 'fnuz' && sign === 1 && exp === 0 && mant === 0) return NaN;
  if (f.special === 'fn' && exp === maxExp && mant === (1 << f.mantBits) - 1) return NaN;
  if (f.special === 'ieee' && exp === maxExp) return mant === 0 ? (sign ? -Infinity : Infinity) : NaN;
  const s = sign ? -1 : 1;
  if (exp === 0) return s * mant * 2 ** (1 - f.bias - f.mantBits);
  return s * (1 + mant / 2 ** f.mantBits) * 2 ** (exp - f.bias);
}

function table(size: number, value: (bits: number) => number): Float64Array {
  const t = new Float64Array(size);
  for (let i = 0; i < size; i++) t[i] = value(i);
  return t;
}

const cache = new Map<string, Float64Array>();
function cached(key: string, build: () => Float64Array): Float64Array {
  let t = cache.get(key);
  if (t === undefined) {
    t = build();
    cache.set(key, t);
  }
  return t;
}

export const float16Table = (): Float64Array => cached('f16', () => table(65536, (b) => miniFloatValue(b, { expBits: 5, mantBits: 10, bias: 15, special: 'ieee' })));

export const bfloat16Table = (): Float64Array =>
  cached('bf16', () => {
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    return table(65536, (b) => {
      u[0] = b << 16;
      return f[0] as number;
    });
  });

export const float8e4m3fnTable = (): Float64Array => cached('e4m3fn', () => table(256, (b) => miniFloatValue(b, { expBits: 4, mantBits: 3, bias: 7, special: 'fn' })));
export const float8e4m3fnuzTable = (): Float64Array => cached('e4m3fnuz', () => table(256, (b) => miniFloatValue(b, { expBits: 4, mantBits: 3, bias: 8, special: 'fnuz' })));
export const float8e5m2Table = (): Float64Array => cached('e5m2', () => table(256, (b) => miniFloatValue(b, { expBits: 5, mantBits: 2, bias: 15, special: 'ieee' })));
export const float8e5m2fnuzTable = (): Float64Array => cached('e5m2fnuz', () => table(256, (b) => miniFloatValue(b, { expBits: 5, mantBits: 2, bias: 16, special: 'fnuz' })));
/** E8M0 (OCP MX scale): 2^(e - 127), 0xFF is NaN; no sign, no zero. */
export const float8e8m0Table = (): Float64Array => cached('e8m0', () => table(256, (b) => (b === 255 ? NaN : 2 ** (b - 127))));
/** FP4 E2M1: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no Inf / NaN. */
export const float4e2m1Table = (): Float64Array => cached('e2m1', () => table(16, (b) => miniFloatValue(b, { expBits: 2, mantBits: 1, bias: 1, special: 'none' })));
