import { DataType } from '../onnx/model';
import { GraphIndex } from '../analysis/graphIndex';
import type { Graph, OnnxModel } from '../onnx/model';
import { float16Bits } from '../onnx/writer/encodeValues';
import type { ProbeInputReport, ProbeOptions } from './probeTypes';
import type { SeededRandom } from './seededRandom';

/** The ORT tensor type names the probe feeds (onnxruntime-common `Tensor.Type`). */
export type ProbeTensorType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'bool';

/** One input to synthesize per batch. */
export interface InputPlan {
  readonly name: string;
  readonly type: ProbeTensorType;
  readonly shape: readonly number[];
  readonly kind: 'normal' | 'uniform-int' | 'ones' | 'zeros';
  /** Exclusive upper bound for `uniform-int`. */
  readonly high: number;
  readonly reason: string;
}

/** One synthesized input tensor, ready for `new ort.Tensor(type, data, shape)`. */
export interface ProbeFeed {
  readonly name: string;
  readonly type: ProbeTensorType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint32Array;
}

/** A graph input the probe cannot synthesize (sequence/map types, bfloat16, ...). */
export class ProbeInputError extends Error {
  override readonly name = 'ProbeInputError';
}

const TYPE_OF: Readonly<Record<number, ProbeTensorType>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT16]: 'int16',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.UINT16]: 'uint16',
  [DataType.UINT32]: 'uint32',
  [DataType.BOOL]: 'bool',
};
const FLOAT_TYPES = new Set<ProbeTensorType>(['float32', 'float16', 'float64']);
/** Ops an id tensor may pass through on its way to the embedding Gather. */
const ID_PASSTHROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity', 'Clip']);
const MAX_ELEMENTS_PER_INPUT = 1 << 28;

/**
 * Decides shape and distribution of every real graph input (inputs that are also initializers
 * are defaults, not inputs). Symbolic dims get `options.dims[name]`, else a default by name
 * (batch / sequence / image size), else by position; the values used are returned in `dims`.
 */
export function planInputs(model: OnnxModel, options: ProbeOptions): { plans: InputPlan[]; dims: Record<string, number> } {
  const graph = model.graph;
  const initializerNames = new Set(graph.initializers.map((t) => t.name));
  const dims: Record<string, number> = {};
  const plans: InputPlan[] = [];
  for (const input of graph.inputs) {
    if (initializerNames.has(input.name)) continue;
    const t = input.type;
    if (t === undefined || t.kind !== 'tensor') {
      throw new ProbeInputError(`graph input "${input.name}" is a ${t?.kind ?? 'untyped'} value: the probe can only synthesize tensors`);
    }
    const type = TYPE_OF[t.elemType];
    if (type === undefined) {
      throw new ProbeInputError(`graph input "${input.name}" has element type ${t.elemType}, which the probe cannot synthesize`);
    }
    const declared = t.shape ?? [];
    const shape = declared.map((d, axis) => resolveDim(d, axis, declared.length, input.name, !FLOAT_TYPES.has(type), options, dims));
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_ELEMENTS_PER_INPUT) {
      throw new ProbeInputError(`graph input "${input.name}" would have ${elements} elements with shape [${shape.join(', ')}]: lower the dimension defaults`);
    }
    plans.push({ name: input.name, type, shape, ...distributionFor(input.name, type, graph) });
  }
  return { plans, dims };
}

function resolveDim(
  d: number | string | null,
  axis: number,
  rank: number,
  inputName: string,
  integer: boolean,
  options: ProbeOptions,
  used: Record<string, number>,
): number {
  if (typeof d === 'number' && d >= 0) return d;
  const positional = `${inputName}:${axis}`;
  const key = typeof d === 'string' && d !== '' ? d : positional;
  // A named dim can be set by its name or, like an unnamed one, as input:axis.
  const explicit = options.dims[key] ?? options.dims[positional];
  const value = explicit ?? (typeof d === 'string' ? defaultByName(d, options) : undefined) ?? defaultByPosition(axis, rank, integer, options);
  used[key] = value;
  return value;
}

function defaultByName(name: string, o: ProbeOptions): number | undefined {
  const n = name.toLowerCase();
  if (/batch|^n$|^b$|^bs$/.test(n)) return o.batchSize;
  if (/seq|len|token|time|frame|^t$|^l$|^s$/.test(n)) return o.sequenceLength;
  if (/height|width|^h$|^w$|image|img|size|spatial/.test(n)) return o.imageSize;
  return undefined;
}

function defaultByPosition(axis: number, rank: number, integer: boolean, o: ProbeOptions): number {
  if (axis === 0) return o.batchSize;
  if (rank === 4 && axis >= 2) return o.imageSize;
  if (rank === 3 && axis === 2 && !integer) return o.sequenceLength; // [N, C, L] (Conv1d)
  if (axis === 1 && integer) return o.sequenceLength; // [N, T] token ids
  return 1;
}

function distributionFor(name: string, type: ProbeTensorType, graph: Graph): Pick<InputPlan, 'kind' | 'high' | 'reason'> {
  if (FLOAT_TYPES.has(type)) return { kind: 'normal', high: 0, reason: 'float input: zero-mean unit-variance Gaussian' };
  const lower = name.toLowerCase();
  if (type === 'bool' || /mask/.test(lower)) return { kind: 'ones', high: 1, reason: 'mask-like input: all ones (nothing masked)' };
  const table = embeddingTableFor(name, graph);
  if (table !== undefined) {
    return { kind: 'uniform-int', high: table.rows, reason: `ids for ${table.node} over a ${table.rows}-row table` };
  }
  if (/type|segment|position|pos/.test(lower)) return { kind: 'zeros', high: 1, reason: 'position/segment-like input with no embedding found: zeros' };
  return { kind: 'zeros', high: 1, reason: 'integer input with no embedding table found: zeros' };
}

/** Follows the id tensor through shape-only ops to a Gather reading an initializer table (data input 0). */
function embeddingTableFor(input: string, graph: Graph): { node: string; rows: number } | undefined {
  const initializers = new Map(graph.initializers.map((t) => [t.name, t] as const));
  const index = new GraphIndex(graph);
  let frontier = [input];
  const seen = new Set(frontier);
  for (let step = 0; step < 6 && frontier.length > 0; step++) {
    const next: string[] = [];
    for (const tensor of frontier) {
      for (const { node: { node } } of index.consumersOf(tensor, graph.path)) {
        if (node.opType === 'Gather' && node.inputs[1] === tensor) {
          const table = initializers.get(node.inputs[0] ?? '');
          const rows = table?.dims[0];
          if (rows !== undefined && rows > 0) return { node: node.name || `#${node.index}:Gather`, rows };
        }
        if (ID_PASSTHROUGH.has(node.opType) && node.inputs[0] === tensor) {
          for (const out of node.outputs) if (!seen.has(out)) { seen.add(out); next.push(out); }
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Synthesizes one batch of every planned input, drawing from `rng` in plan order. */
export function generateFeeds(plans: readonly InputPlan[], rng: SeededRandom): ProbeFeed[] {
  return plans.map((p) => ({ name: p.name, type: p.type, shape: p.shape, data: fill(p, rng) }));
}

function fill(p: InputPlan, rng: SeededRandom): ProbeFeed['data'] {
  const n = p.shape.reduce((a, b) => a * b, 1);
  switch (p.type) {
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = rng.normal();
      return a;
    }
    case 'float64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = rng.normal();
      return a;
    }
    case 'float16': {
      const a = new Uint16Array(n);
      for (let i = 0; i < n; i++) a[i] = float16Bits(rng.normal());
      return a;
    }
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(intValue(p, rng));
      return a;
    }
    default: {
      const a = intArray(p.type, n);
      for (let i = 0; i < n; i++) a[i] = intValue(p, rng);
      return a;
    }
  }
}

function intValue(p: InputPlan, rng: SeededRandom): number {
  if (p.kind === 'ones') return 1;
  if (p.kind === 'zeros') return 0;
  return rng.int(p.high);
}

function intArray(type: ProbeTensorType, n: number): Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array {
  switch (type) {
    case 'int32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'uint32': return new Uint32Array(n);
    default: return new Uint8Array(n); // uint8, bool
  }
}

/** The `inputs` section of the probe report. */
export function describeInputs(plans: readonly InputPlan[]): ProbeInputReport[] {
  return plans.map((p) => ({
    name: p.name,
    dtype: p.type,
    shape: p.shape,
    distribution: p.kind === 'normal' ? 'normal(0,1)' : p.kind === 'uniform-int' ? `uniform-int[0,${p.high})` : p.kind,
    reason: p.reason,
  }));
}
