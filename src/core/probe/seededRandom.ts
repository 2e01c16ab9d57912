/**
 * A seeded pseudo-random generator for the probe's inputs. Hand-written rather than taken from a
 * library because the probe must be bit-reproducible from a seed on every platform (Math.random
 * is not seedable) and the algorithms are a few lines: xoshiro128** (Blackman & Vigna) seeded
 * through splitmix32, with Box–Muller for normals. The uniform stream is pure 32-bit integer arithmetic
 * (identical everywhere); normals also use Math.log/sin/cos, which are deterministic within one
 * JavaScript engine (V8's fdlibm port), so a seed reproduces bit for bit across runs and machines.
 */
export interface SeededRandom {
  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n) (n ≥ 1, n ≤ 2^32). */
  int(n: number): number;
}

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads a small seed over the 128-bit state so seeds 0, 1, 2 give unrelated streams. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Creates a generator from an integer seed (any safe integer; the low 53 bits are mixed in).
 * The same seed always yields the same sequence.
 */
export function seededRandom(seed: number): SeededRandom {
  const lo = seed % TWO_POW_32;
  const hi = Math.floor(seed / TWO_POW_32) % TWO_POW_32;
  const mix = { s: (lo ^ Math.imul(hi | 0, 0x27d4eb2d)) | 0 };
  let a = splitmix32(mix);
  let b = splitmix32(mix);
  let c = splitmix32(mix);
  let d = splitmix32(mix);
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point of xoshiro

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  let spare: number | undefined;
  const uniform = (): number => nextU32() / TWO_POW_32;
  return {
    uniform,
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // 1 - u is in (0, 1], so the log is finite.
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));
      const theta = 2 * Math.PI * uniform();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    int(n: number): number {
      return Math.floor(uniform() * n);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
