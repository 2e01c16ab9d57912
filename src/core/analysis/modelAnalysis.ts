import { CancelledError, ExternalDataError, TensorDecodeError } from '../errors';
import type { CancellationSignal, ProgressSink } from '../host';
import { collectWeights } from '../onnx/collectWeights';
import { dataTypeInfo, dataTypeName } from '../onnx/dataTypes';
import type { OnnxModel, WeightEntry } from '../onnx/model';
import { tensorValueChunks, type TensorDataContext } from '../onnx/tensorValues';
import { groupMoments, unitLayout } from '../stats/channelStats';
import { findActivation, NORMALIZATIONS, type ActivationFound, type ConstValues, type IsConst } from './activationSearch';
import { computeFan } from './fanRules';
import { fingerprint } from './fingerprint';
import { GraphIndex, type NodeRef } from './graphIndex';
import { activationFromSetting, type Activation, type ActivationSetting } from './gains';
import type { AnalysisOptions } from './options';
import { LAYER_ROLES, primaryRole, roleOfUse } from './roles';
import { recommend } from './schemes';
import { analyzeStructure, attentionRole, residualAddAfter, type Structure } from './structure';
import { runTensorPass, type Dequantizer, type TensorPassJob, type TensorPassOutcome, type TensorPassRunner } from './tensorPass';
import type { LayerInfo, TensorInfo, UseInfo } from './types';
import { findWeightUses, type WeightUse } from './weightUses';

export interface AnalysisHooks {
  readonly signal?: CancellationSignal;
  readonly progress?: ProgressSink;
  /** Runs the statistics passes of all tensors at once (worker threads); default: one by one here. */
  readonly passRunner?: TensorPassRunner;
  /**
   * Called once the graph is understood (before any tensor is read) and again after each tensor
   * pass, with a way to take a snapshot of the analysis so far (layers whose tensors are not read
   * yet have no statistics) and the bytes of tensor data in all. Taking a snapshot costs a rebuild
   * of the layers: callers throttle.
   */
  readonly partial?: (snapshot: () => ModelAnalysis, tensorBytes: number) => void;
}

export interface ModelAnalysis {
  readonly model: OnnxModel;
  readonly index: GraphIndex;
  readonly structure: Structure;
  readonly tensors: readonly TensorInfo[];
  readonly layers: readonly LayerInfo[];
  readonly isConst: IsConst;
}

/** runTensorPass consumes each chunk before pulling the next: one decode buffer per pass is enough. */
const PASS_VALUES = { reuseBuffer: true } as const;
const SMALL_READ_LIMIT = 1 << 20;

/** Finds every weight, its uses and roles, runs the statistics passes and builds the layers. */
export function analyzeGraph(model: OnnxModel, ctx: TensorDataContext, options: AnalysisOptions, hooks: AnalysisHooks = {}): ModelAnalysis {
  const index = new GraphIndex(model.graph, model.functions);
  const entries = collectWeights(model);
  const byName = new Map<string, WeightEntry[]>();
  for (const e of entries) {
    const list = byName.get(e.name);
    if (list === undefined) byName.set(e.name, [e]);
    else list.push(e);
  }
  const lookup = (name: string, scope: string): WeightEntry | undefined => {
    const list = byName.get(name);
    if (list === undefined) return undefined;
    let best: WeightEntry | undefined;
    for (const e of list) if ((scope === e.graphPath || scope.startsWith(`${e.graphPath}/`)) && (best === undefined || e.graphPath.length > best.graphPath.length)) best = e;
    return best;
  };
  const isConst: IsConst = (name, scope) => lookup(name, scope) !== undefined;
  const readSmall = (e: WeightEntry): Float64Array | undefined => {
    if (e.tensor.elementCount > SMALL_READ_LIMIT || e.tensor.refusal !== undefined) return undefined;
    try {
      const out = new Float64Array(e.tensor.elementCount);
      let off = 0;
      for (const c of tensorValueChunks(e.tensor, ctx)) { out.set(c.subarray(0, Math.max(0, out.length - off)), off); off += c.length; }
      return off === out.length ? out : undefined;
    } catch (err) {
      if (err instanceof TensorDecodeError || err instanceof ExternalDataError) return undefined;
      throw err;
    }
  };
  // Small numeric constants read by the activation search (PRelu slopes), once each.
  const constCache = new Map<WeightEntry, Float64Array | undefined>();
  const constValues: ConstValues = (name, scope) => {
    const e = lookup(name, scope);
    if (e === undefined || e.sparse !== undefined || e.tensor.elementCount > 1 << 16 || dataTypeInfo(e.tensor.dataType)?.numeric !== true) return undefined;
    if (!constCache.has(e)) constCache.set(e, readSmall(e));
    return constCache.get(e);
  };
  const constInts = (name: string, scope: string): number[] | undefined => {
    const e = lookup(name, scope);
    if (e === undefined || e.tensor.elementCount > 64 || dataTypeInfo(e.tensor.dataType)?.isInteger !== true) return undefined;
    const v = readSmall(e);
    return v === undefined ? undefined : Array.from(v);
  };

  const tensors: TensorInfo[] = entries.map((entry) => {
    const info = dataTypeInfo(entry.tensor.dataType);
    const isFloat = info?.isFloat === true;
    const dims = entry.sparse?.dims ?? entry.tensor.dims;
    const uses: UseInfo[] = findWeightUses(index, entry.name, entry.graphPath, dims, constInts).map((use) => ({
      use,
      role: roleOfUse(index, use, isFloat || use.dequant !== undefined, entry.tensor.elementCount),
      direct: use.via.length === 0,
    }));
    const role = uses.length > 0 ? primaryRole(uses) : isFloat && entry.tensor.elementCount > 1 ? 'parameter' : 'constant';
    return {
      entry, dtype: dataTypeName(entry.tensor.dataType), isFloat, uses, role,
      roles: [...new Set(uses.map((u) => u.role))],
      byteSize: Math.ceil((entry.tensor.elementCount * (info?.bits ?? 0)) / 8),
      pass: null, refusal: null, skipped: null, label: null, labelEquivalents: [],
    };
  });

  const layerUses: { t: TensorInfo; u: UseInfo }[] = [];
  for (const t of tensors) for (const u of t.uses) if (LAYER_ROLES.has(u.role)) layerUses.push({ t, u });
  layerUses.sort((a, b) => a.u.use.node.order - b.u.use.node.order || a.u.use.inputIndex - b.u.use.inputIndex);
  const layerNodes = new Set(layerUses.filter((l) => l.u.role !== 'embedding').map((l) => l.u.use.node.order));
  const structure = analyzeStructure(index, layerNodes, isConst);

  // Statistics passes, one per tensor, in file order of the layers first (progress follows the graph).
  const total = tensors.reduce((a, t) => a + t.byteSize, 0);
  const snapshot = (): ModelAnalysis => ({ model, index, structure, tensors, layers: layerUses.map(({ t, u }, i) => buildLayer(t, u, i)), isConst });
  hooks.partial?.(snapshot, total);
  let done = 0;
  const firstLayerUse = new Map<TensorInfo, WeightUse>();
  for (const l of layerUses) if (!firstLayerUse.has(l.t)) firstLayerUse.set(l.t, l.u.use);
  const passUse = (t: TensorInfo): WeightUse | undefined => firstLayerUse.get(t) ?? t.uses.find((u) => u.use.dequant !== undefined)?.use;
  const planned = hooks.passRunner !== undefined ? tensors.map((t) => ({ t, job: planPass(t, passUse(t)) })) : [];
  const jobs = planned.filter((p): p is { t: TensorInfo; job: TensorPassJob } => p.job !== undefined);
  // The runner reports stored elements of all jobs together: convert with their mean element size.
  const jobElements = jobs.reduce((a, p) => a + (p.job.denseCount ?? p.job.tensor.elementCount), 0);
  const bytesPerJobElement = jobs.reduce((a, p) => a + p.t.byteSize, 0) / Math.max(1, jobElements);
  const record = (t: TensorInfo, o: TensorPassOutcome | undefined): void => {
    if (o?.ok === true) t.pass = o.result;
    else if (o !== undefined) t.refusal = refusalOf(o.error);
  };
  const outcomes = hooks.passRunner?.(jobs.map((p) => p.job), (n) => {
    done += n * bytesPerJobElement;
    hooks.progress?.report(Math.min(done, total), total);
    if (hooks.signal?.isCancellationRequested === true) throw new CancelledError();
  }, (i, o) => {
    const job = jobs[i];
    if (job === undefined) return;
    record(job.t, o);
    hooks.partial?.(snapshot, total);
  });
  if (outcomes !== undefined) {
    jobs.forEach(({ t }, i) => record(t, outcomes[i]));
  } else {
    done = 0;
    for (const t of tensors) {
      if (hooks.signal?.isCancellationRequested === true) throw new CancelledError();
      runPass(t, passUse(t));
      hooks.partial?.(snapshot, total);
    }
  }

  function refusalOf(err: unknown): { rule: string; message: string } {
    const rule = err instanceof TensorDecodeError ? err.rule : err instanceof ExternalDataError ? `external-${err.rule}` : 'decode-error';
    return { rule, message: err instanceof Error ? err.message : String(err) };
  }

  /** The pass of one tensor as plain data, or undefined after recording why it has none. */
  function planPass(t: TensorInfo, use: WeightUse | undefined): TensorPassJob | undefined {
    const tensor = t.entry.tensor;
    const info = dataTypeInfo(tensor.dataType);
    if (tensor.refusal !== undefined) { t.refusal = tensor.refusal; done += t.byteSize; return undefined; }
    if (info === undefined || !info.numeric) { t.skipped = info?.skipReason ?? `unknown data type ${tensor.dataType}`; done += t.byteSize; return undefined; }
    if (use?.node.node.opType === 'MatMulNBits' && use.inputIndex === 1) {
      // Packed n-bit blocks: the stored bytes are not the weight values (decoding them is not implemented).
      t.skipped = 'packed n-bit weights (com.microsoft MatMulNBits): statistics of the dequantized values are not computed';
      done += t.byteSize;
      return undefined;
    }
    const dims = t.entry.sparse?.dims ?? tensor.dims;
    const count = dims.reduce((a, b) => a * b, 1);
    // The implicit zeros of a sparse tensor are not backed by bytes: a 100-byte file can claim a
    // [2^26, 2^26] dense shape. Expand only up to a bound tied to what is stored.
    const nnz = t.entry.sparse !== undefined ? tensor.elementCount : count;
    if (count > Math.max(MAX_SPARSE_DENSE, SPARSE_ZEROS_PER_VALUE * nnz)) {
      t.skipped = `sparse tensor with ${nnz} stored values and a dense shape [${dims.slice(0, 8).join(', ')}] of ${count} elements: statistics over the dense tensor are not computed (more than ${MAX_SPARSE_DENSE} elements and ${SPARSE_ZEROS_PER_VALUE}× the stored values)`;
      done += t.byteSize;
      return undefined;
    }
    const fan = use !== undefined ? computeFan(use.node.node, use.inputIndex, use.shape, isRawParameter(t.entry.name)) : null;
    const outAxis = fan?.outputAxis ?? null;
    const storedAxis = outAxis !== null && use !== undefined ? (use.axisSource[outAxis] ?? -1) : -1;
    const identity = use !== undefined && use.axisSource.every((a, i) => a === i) && use.shape.length === dims.length;
    const units = t.entry.sparse === undefined && storedAxis >= 0 ? unitLayout(dims, storedAxis, identity ? (fan?.batchAxes ?? 0) : 0) : undefined;
    // Per-unit sums take 56 bytes a unit: past MAX_UNITS (no real layer has that many output
    // units, a crafted [1, 10^8] weight would) the per-unit statistics are left out.
    const layout = units !== undefined && units.units <= MAX_UNITS ? units : undefined;
    const lead = dims.findIndex((d) => d !== 1);
    const core = lead < 0 ? [] : dims.slice(lead);
    const matrix = fan !== null && fan.batchAxes === 0 || (fan?.batchAxes === 1 && dims[0] === 1) ? (core.length >= 2 ? { rows: core[0] as number, cols: count / (core[0] as number) } : undefined) : undefined;
    const dequant = use?.dequant !== undefined ? dequantizerFor(use, dims) : undefined;
    if (typeof dequant === 'string') { t.skipped = dequant; done += t.byteSize; return undefined; }
    return {
      tensor,
      denseCount: t.entry.sparse !== undefined ? count : undefined,
      // Only layers show a histogram (the report's other tensors carry their statistics alone).
      input: { count, dequant, layout, matrix, maxElements: options.maxElementsPerTensor, histogram: firstLayerUse.has(t) },
    };
  }

  function runPass(t: TensorInfo, use: WeightUse | undefined): void {
    const job = planPass(t, use);
    if (job === undefined) return;
    const tensor = job.tensor;
    const bytesPerElement = t.byteSize / Math.max(1, tensor.elementCount);
    const count = job.input.count;
    const chunks = t.entry.sparse !== undefined ? () => sparseDense(t.entry, ctx, count) : () => tensorValueChunks(tensor, ctx, PASS_VALUES);
    try {
      t.pass = runTensorPass({
        ...job.input,
        chunks,
        onElements: (n) => {
          done += n * bytesPerElement;
          hooks.progress?.report(Math.min(done, total), total);
          if (hooks.signal?.isCancellationRequested === true) throw new CancelledError();
        },
      });
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      t.refusal = refusalOf(err);
    }
  }

  /** The dequantizer of a use, or why the model's scale / zero point cannot dequantize the tensor. */
  function dequantizerFor(use: WeightUse, dims: readonly number[]): Dequantizer | string | undefined {
    const dq = use.dequant;
    if (dq === undefined) return undefined;
    const se = lookup(dq.scale, dq.scope);
    const scale = se !== undefined ? readSmall(se) : undefined;
    if (scale === undefined || scale.length === 0) return undefined;
    const ze = dq.zeroPoint !== undefined ? lookup(dq.zeroPoint, dq.scope) : undefined;
    const zeroPoint = ze !== undefined ? readSmall(ze) : undefined;
    // A scale / zero point whose size does not fit the weight would index past its end (NaN values
    // that are not in the model): say the model is inconsistent instead of inventing statistics.
    const d = dims[dq.axis];
    const expected = scale.length === 1 ? 1 : d === undefined || dq.blockSize < 0 ? undefined
      : dq.blockSize > 0 ? dims.reduce((a, b, i) => a * (i === dq.axis ? Math.ceil(b / dq.blockSize) : b), 1) : d;
    if (expected === undefined || scale.length !== expected) {
      return `quantization scale "${dq.scale}" has ${scale.length} values but ${expected === undefined ? `axis ${dq.axis} / block_size ${dq.blockSize} are invalid for` : `${expected} are needed for`} dims [${dims.slice(0, 8).join(', ')}] (inconsistent quantization parameters: not dequantized)`;
    }
    if (zeroPoint !== undefined && zeroPoint.length !== scale.length) {
      return `quantization zero point "${dq.zeroPoint ?? ''}" has ${zeroPoint.length} values but the scale has ${scale.length} (inconsistent quantization parameters: not dequantized)`;
    }
    return { scale, zeroPoint, axis: dq.axis, blockSize: dq.blockSize, dims };
  }

  const layers: LayerInfo[] = layerUses.map(({ t, u }, i) => buildLayer(t, u, i));

  function buildLayer(t: TensorInfo, u: UseInfo, i: number): LayerInfo {
    const node = u.use.node;
    const fan = computeFan(node.node, u.use.inputIndex, u.use.shape, isRawParameter(t.entry.name));
    const rnn = ['LSTM', 'GRU', 'RNN'].includes(node.node.opType);
    // Recurrent weights feed the cell's own gates (sigmoid) and candidate (tanh): the Xavier family.
    const act = options.activation !== 'auto' ? overridden(options.activation)
      : rnn ? { activation: { kind: 'tanh' as const }, path: [`${node.node.opType} cell (sigmoid gates, tanh candidate)`], normalizedAfter: false, residualAdd: false }
        : findActivation(index, node, isConst, constValues);
    const isEmbedding = u.role === 'embedding';
    const rec = recommend(fan, act.activation, act.path.slice(0, -1).join(' → '), isEmbedding);
    const s = t.pass?.stats;
    const folded = node.node.opType === 'Conv' && /^onnx::Conv_\d+$/.test(t.entry.name) && !structure.hasBatchNorm;
    const fans = fan === null ? [] : [fan, ...(fan.pytorch !== null ? [fan.pytorch] : [])];
    // Integer weights without a scale (MatMulInteger, ConvInteger) have no meaningful float scale to compare.
    const unscaled = dataTypeInfo(t.entry.tensor.dataType)?.isInteger === true && t.pass?.storedStats === undefined;
    const fp = s !== undefined && !unscaled && s.finiteCount > 0 && Number.isFinite(s.std) ? fingerprint({
      count: s.finiteCount, mean: s.mean, std: s.std, min: s.min, max: s.max, kurtosis: s.excessKurtosis,
      pooledKurtosis: t.pass?.channels?.pooledKurtosis ?? null, role: u.role, fans,
      rnnHidden: fan?.gates?.hidden ?? null, nLayer: structure.nLayer, orthogonal: t.pass?.orthogonality ?? null, loose: folded,
    }) : null;
    const ch = t.pass?.channels ?? null;
    const gates = fan?.gates ?? null;
    const gateStats = gates !== null && ch !== null && ch.count % (gates.count * gates.hidden) === 0 ? Array.from({ length: ch.count / gates.hidden }, (_, k) => {
      const m = groupMoments(ch, k * gates.hidden, (k + 1) * gates.hidden);
      return { direction: Math.floor(k / gates.count), gate: gates.order[k % gates.count] as string, mean: Number.isFinite(m.mean) ? m.mean : null, std: Number.isFinite(m.std) ? m.std : null };
    }) : null;
    return {
      id: `L${i}`, index: i, tensor: t, use: u.use, role: u.role, fan, act, rec, fp, folded, gateStats,
      roleDetail: u.role === 'weight' && (node.node.opType === 'MatMul' || node.node.opType === 'Gemm') ? attentionRole(index, node, isConst) : null,
      head: !structure.hasLayerDownstream.has(node.order) && !isEmbedding,
      inResidualBranch: structure.inResidualBranch.has(node.order),
      residualEnd: residualAddAfter(index, node, structure) !== undefined,
      normalizedBefore: normalizedBefore(index, node, layerNodes, isConst),
      verdict: 'unknown', looksTrained: null, verdictReason: '', label: null, equivalents: [], findings: [],
    };
  }

  return { model, index, structure, tensors, layers, isConst };
}

/** Named parameters that are not `*weight*` and not exporter-made are raw [K,N] parameters. */
function isRawParameter(name: string): boolean {
  return !name.startsWith('onnx::') && !/weight/i.test(name);
}

function overridden(setting: ActivationSetting): ActivationFound {
  const a: Activation = activationFromSetting(setting) ?? { kind: 'linear' };
  return { activation: a, path: ['(activation option)'], normalizedAfter: false, residualAdd: false };
}

/** Output units up to which per-unit statistics (dead / identical units, channel spread) are kept. */
const MAX_UNITS = 1 << 20;

/** Dense sizes up to which a sparse tensor is always expanded, and beyond it, zeros per stored value. */
const MAX_SPARSE_DENSE = 1 << 26;
const SPARSE_ZEROS_PER_VALUE = 16;

function* sparseDense(entry: WeightEntry, ctx: TensorDataContext, count: number): Generator<Float64Array> {
  // Sparse tensors: statistics over the dense tensor (stored values plus the implicit zeros).
  let n = 0;
  for (const c of tensorValueChunks(entry.tensor, ctx, PASS_VALUES)) { n += c.length; yield c; }
  const zeros = new Float64Array(Math.min(1 << 16, Math.max(0, count - n)));
  for (let left = count - n; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
}

/** Walks back from the layer's data input to the previous layer: is there a normalization in between? */
function normalizedBefore(index: GraphIndex, node: NodeRef, layerNodes: ReadonlySet<number>, isConst: IsConst): boolean {
  let tensor = node.node.inputs.find((x, i) => x !== '' && !isConst(x, node.scope) && i <= 1) ?? '';
  for (let step = 0; step < 16 && tensor !== ''; step++) {
    const p = index.producerOf(tensor, node.scope);
    if (p === undefined || layerNodes.has(p.order)) return false;
    const op = p.node.opType;
    if (NORMALIZATIONS.has(op)) return true;
    if (op === 'Div' && index.producerOf(p.node.inputs[1] ?? '', p.scope)?.node.opType === 'Sqrt') return true;
    tensor = p.node.inputs.find((x) => x !== '' && !isConst(x, p.scope)) ?? '';
  }
  return false;
}
