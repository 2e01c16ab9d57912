// Deterministic model builders for tests: seeded random weights with a chosen init std per layer,
// serialized with our own writer. Each builder returns the bytes, the spec, and per-tensor facts
// (shape, the std it was drawn with, and the exact float64 stats of the float32-rounded values)
// so tests can compare the analyzer against numbers that are known, not re-derived.
import { DataType } from '../../src/core/onnx/model';
import { encodeModel } from '../../src/core/onnx/writer/writeModel';
import type { ModelSpec, NodeSpec, TensorSpec, ValueInfoSpec } from '../../src/core/onnx/writer/modelSpec';

/** mulberry32: tiny, fast, good enough for test data; returns uniform [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export function normalValues(n: number, std: number, rng: Rng, mean = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
  return out;
}

export function uniformValues(n: number, limit: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

/** Normal with parameter `std`, resampled outside ±bound·std (Keras/timm truncated normal). */
export function truncatedNormalValues(n: number, std: number, rng: Rng, bound = 2): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (Math.abs(z) > bound) z = rng.normal();
    out[i] = std * z;
  }
  return out;
}

/**
 * Orthogonal init like torch.nn.init.orthogonal_: a (rows × cols) matrix with orthonormal rows
 * (rows ≤ cols) or columns (rows > cols), times `gain`. Gram–Schmidt on a normal matrix in float64.
 */
export function orthogonalValues(rows: number, cols: number, rng: Rng, gain = 1): Float32Array {
  const [r, c] = rows < cols ? [rows, cols] : [cols, rows];
  const q: Float64Array[] = [];
  for (let i = 0; i < r; i++) {
    const v = new Float64Array(c);
    for (let j = 0; j < c; j++) v[j] = rng.normal();
    for (const u of q) {
      let d = 0;
      for (let j = 0; j < c; j++) d += v[j]! * u[j]!;
      for (let j = 0; j < c; j++) v[j]! -= d * u[j]!;
    }
    let norm = 0;
    for (let j = 0; j < c; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < c; j++) v[j]! /= norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (rows < cols ? q[i]![j]! : q[j]![i]!);
  }
  return out;
}

/** Exact float64 stats (population std) of values, as numpy computes them on the stored tensor. */
export function exactStats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number; zeros: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  const mean = sum / values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(ss / values.length), min, max, zeros };
}

export interface BuiltTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** The std the values were drawn with (0 for constant tensors). */
  readonly drawnStd: number;
  readonly values: Float32Array;
  readonly stats: ReturnType<typeof exactStats>;
}

export interface BuiltModel {
  readonly bytes: Uint8Array;
  readonly spec: ModelSpec;
  readonly tensors: readonly BuiltTensor[];
}

/** How a weight is drawn: a std for N(0, std), or a tagged distribution. */
export type InitSpec =
  | number
  | { readonly kind: 'normal' | 'truncated-normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  | { readonly kind: 'orthogonal'; readonly gain?: number }
  | { readonly kind: 'constant'; readonly value: number };

function draw(init: InitSpec, dims: readonly number[], rng: Rng): { values: Float32Array; std: number } {
  const n = dims.reduce((a, b) => a * b, 1);
  if (typeof init === 'number') return { values: normalValues(n, init, rng), std: init };
  switch (init.kind) {
    case 'normal': return { values: normalValues(n, init.std, rng), std: init.std };
    case 'truncated-normal': return { values: truncatedNormalValues(n, init.std, rng), std: init.std };
    case 'uniform': return { values: uniformValues(n, init.limit, rng), std: init.limit / Math.sqrt(3) };
    case 'orthogonal': {
      const rows = dims[0] ?? 1;
      const gain = init.gain ?? 1;
      return { values: orthogonalValues(rows, n / rows, rng, gain), std: gain / Math.sqrt(Math.max(rows, n / rows)) };
    }
    case 'constant': return { values: new Float32Array(n).fill(init.value), std: 0 };
  }
}

class Collector {
  readonly tensors: BuiltTensor[] = [];
  readonly initializers: TensorSpec[] = [];
  constructor(readonly rng: Rng) {}
  add(name: string, dims: readonly number[], init: InitSpec): string {
    const { values, std } = draw(init, dims, this.rng);
    this.tensors.push({ name, dims, drawnStd: std, values, stats: exactStats(values) });
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, values });
    return name;
  }
}

function model(name: string, nodes: NodeSpec[], c: Collector, inputs: ValueInfoSpec[], outputs: ValueInfoSpec[]): BuiltModel {
  const spec: ModelSpec = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'onnx-init-tests',
    graph: { name, nodes, initializers: c.initializers, inputs, outputs },
  };
  return { bytes: encodeModel(spec), spec, tensors: c.tensors };
}

const f32 = (name: string, shape: (number | string)[]): ValueInfoSpec => ({ name, elemType: DataType.FLOAT, shape });

export interface MlpOptions {
  /** Layer widths, input first: [784, 256, 10] is two Linear layers. */
  readonly sizes: readonly number[];
  /** Gemm with transB=1 (B is [out, in], the PyTorch export) or MatMul with B [in, out]. */
  readonly style?: 'gemm' | 'matmul';
  /** Per layer init of the weight; default He-normal std √(2/fan_in). */
  readonly init?: readonly InitSpec[];
  /** Per layer init of the bias; default zeros. */
  readonly biasInit?: readonly InitSpec[];
  readonly seed?: number;
}

export function buildMlp(o: MlpOptions): BuiltModel {
  const c = new Collector(new Rng(o.seed ?? 1));
  const style = o.style ?? 'gemm';
  const nodes: NodeSpec[] = [];
  let x = 'input';
  for (let i = 0; i + 1 < o.sizes.length; i++) {
    const fin = o.sizes[i]!;
    const fout = o.sizes[i + 1]!;
    const w = c.add(`fc${i}.weight`, style === 'gemm' ? [fout, fin] : [fin, fout], o.init?.[i] ?? Math.sqrt(2 / fin));
    const b = c.add(`fc${i}.bias`, [fout], o.biasInit?.[i] ?? { kind: 'constant', value: 0 });
    const y = `fc${i}.out`;
    if (style === 'gemm') nodes.push({ opType: 'Gemm', name: `/fc${i}/Gemm`, inputs: [x, w, b], outputs: [y], attributes: { alpha: { type: 'float', value: 1 }, beta: { type: 'float', value: 1 }, transB: 1 } });
    else {
      nodes.push({ opType: 'MatMul', name: `/fc${i}/MatMul`, inputs: [x, w], outputs: [`${y}.mm`] });
      nodes.push({ opType: 'Add', name: `/fc${i}/Add`, inputs: [`${y}.mm`, b], outputs: [y] });
    }
    x = y;
    if (i + 2 < o.sizes.length) {
      nodes.push({ opType: 'Relu', name: `/relu${i}/Relu`, inputs: [x], outputs: [`relu${i}.out`] });
      x = `relu${i}.out`;
    }
  }
  nodes.push({ opType: 'Identity', name: '/output', inputs: [x], outputs: ['output'] });
  return model('mlp', nodes, c, [f32('input', ['batch', o.sizes[0]!])], [f32('output', ['batch', o.sizes[o.sizes.length - 1]!])]);
}

export interface CnnOptions {
  readonly inChannels: number;
  /** Output channels per conv layer. */
  readonly channels: readonly number[];
  /** Groups per conv layer (default 1; channels[i] === groups makes it depthwise when in == out). */
  readonly groups?: readonly number[];
  readonly kernel?: number;
  readonly classes: number;
  /** Per conv layer weight init; default He fan_in std √(2/(C/g·k²)). */
  readonly convInit?: readonly InitSpec[];
  readonly headInit?: InitSpec;
  readonly seed?: number;
  readonly imageSize?: number;
}

/** Conv → BatchNormalization → Relu per layer, then GlobalAveragePool → Flatten → Gemm head. */
export function buildCnn(o: CnnOptions): BuiltModel {
  const c = new Collector(new Rng(o.seed ?? 1));
  const k = o.kernel ?? 3;
  const nodes: NodeSpec[] = [];
  let x = 'input';
  let cin = o.inChannels;
  o.channels.forEach((cout, i) => {
    const g = o.groups?.[i] ?? 1;
    const fanIn = (cin / g) * k * k;
    const w = c.add(`conv${i}.weight`, [cout, cin / g, k, k], o.convInit?.[i] ?? Math.sqrt(2 / fanIn));
    nodes.push({ opType: 'Conv', name: `/conv${i}/Conv`, inputs: [x, w], outputs: [`conv${i}.out`], attributes: { group: g, kernel_shape: [k, k], pads: [1, 1, 1, 1], strides: [1, 1] } });
    const bn = ['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
      c.add(`bn${i}.${p}`, [cout], { kind: 'constant', value: p === 'weight' || p === 'running_var' ? 1 : 0 }),
    );
    nodes.push({ opType: 'BatchNormalization', name: `/bn${i}/BatchNormalization`, inputs: [`conv${i}.out`, ...bn], outputs: [`bn${i}.out`], attributes: { epsilon: { type: 'float', value: 1e-5 }, momentum: { type: 'float', value: 0.9 } } });
    nodes.push({ opType: 'Relu', name: `/relu${i}/Relu`, inputs: [`bn${i}.out`], outputs: [`relu${i}.out`] });
    x = `relu${i}.out`;
    cin = cout;
  });
  nodes.push({ opType: 'GlobalAveragePool', name: '/pool/GlobalAveragePool', inputs: [x], outputs: ['pool.out'] });
  nodes.push({ opType: 'Flatten', name: '/flatten/Flatten', inputs: ['pool.out'], outputs: ['flat.out'], attributes: { axis: 1 } });
  const hw = c.add('fc.weight', [o.classes, cin], o.headInit ?? { kind: 'uniform', limit: 1 / Math.sqrt(cin) });
  const hb = c.add('fc.bias', [o.classes], { kind: 'uniform', limit: 1 / Math.sqrt(cin) });
  nodes.push({ opType: 'Gemm', name: '/fc/Gemm', inputs: ['flat.out', hw, hb], outputs: ['output'], attributes: { alpha: { type: 'float', value: 1 }, beta: { type: 'float', value: 1 }, transB: 1 } });
  const s = o.imageSize ?? 8;
  return model('cnn', nodes, c, [f32('input', ['batch', o.inChannels, s, s])], [f32('output', ['batch', o.classes])]);
}
