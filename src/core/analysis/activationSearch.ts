import type { Activation } from './gains';
import type { GraphIndex, NodeRef, TensorUse } from './graphIndex';
import { attrFloat } from './weightUses';

/** Ops that carry a layer's output to its activation without changing which activation it is. */
const TRANSPARENT = new Set([
  'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'GlobalMaxPool', 'LpPool', 'Cast', 'Pad', 'Resize', 'Upsample', 'Split', 'Slice', 'Concat', 'DepthToSpace', 'SpaceToDepth', 'QuantizeLinear', 'DequantizeLinear',
]);
export const NORMALIZATIONS = new Set(['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'SkipLayerNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization', 'LpNormalization', 'MeanVarianceNormalization']);
/** Ops whose weight makes a new layer: the search stops there (the layer had no activation). */
export const WEIGHT_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'LSTM', 'GRU', 'RNN', 'Einsum', 'QLinearConv', 'QLinearMatMul', 'MatMulInteger', 'ConvInteger', 'MatMulNBits', 'Attention', 'MultiHeadAttention']);
const SHAPE_ONLY = new Set(['Shape', 'Size']);
const MAX_STEPS = 16;

export interface ActivationFound {
  readonly activation: Activation;
  /** Ops passed on the way, e.g. ["BatchNormalization", "Relu"]. */
  readonly path: readonly string[];
  /** A normalization (BN/LN/GN/IN or a decomposed LayerNorm) sits between the layer and its activation. */
  readonly normalizedAfter: boolean;
  /** A residual Add (both inputs computed) was passed. */
  readonly residualAdd: boolean;
  /** The tensor the activation outputs (the last node of a written-out form), when one was found. */
  readonly output?: string;
}

/** Whether a tensor name is a constant (initializer or Constant output) in scope. */
export type IsConst = (name: string, scope: string) => boolean;
/** The values of a small numeric constant in scope, or undefined (not a constant, too large, unreadable). */
export type ConstValues = (name: string, scope: string) => Float64Array | undefined;

/**
 * Finds the activation that actually follows `layer` in the graph. `constValues` reads parameters
 * of the activation itself (PRelu's slope); without it the slope is PyTorch's initial 0.25.
 */
export function findActivation(index: GraphIndex, layer: NodeRef, isConst: IsConst, constValues?: ConstValues): ActivationFound {
  const path: string[] = [];
  let normalized = false;
  let residual = false;
  let tensor = layer.node.outputs[0] ?? '';
  let scope = layer.scope;
  const done = (activation: Activation, output?: string): ActivationFound => ({ activation, path, normalizedAfter: normalized, residualAdd: residual, ...(output ? { output } : {}) });
  for (let step = 0; step < MAX_STEPS && tensor !== ''; step++) {
    const uses = index.consumersOf(tensor, scope).filter((u) => !SHAPE_ONLY.has(u.node.node.opType));
    if (uses.length === 0) return done({ kind: 'linear' });
    const ops = new Set(uses.map((u) => u.node.node.opType));
    // Activations written out as x·g(x): Silu, GELU (erf and tanh forms), HardSwish, Mish.
    const gated = selfGated(index, tensor, scope, isConst);
    if (gated !== undefined) {
      path.push(gated.label);
      return done(gated.activation, gated.output);
    }
    // A decomposed LayerNorm starts with ReduceMean and Sub on the same tensor.
    if (ops.has('ReduceMean') && (ops.has('Sub') || ops.has('Div'))) {
      path.push('LayerNorm(decomposed)');
      normalized = true;
      return done({ kind: 'linear' });
    }
    const pick = choose(uses);
    const n = pick.node.node;
    const op = n.opType;
    const act = asActivation(index, pick, constValues);
    if (act !== undefined) {
      path.push(act.label);
      return done(act.activation, n.outputs[0]);
    }
    if (WEIGHT_OPS.has(op) || op === 'Gather') return done({ kind: 'linear' });
    if (NORMALIZATIONS.has(op)) normalized = true;
    else if (op === 'Add' || op === 'Sub' || op === 'Mul' || op === 'Div') {
      const other = n.inputs[1 - pick.inputIndex];
      if (other !== undefined && other !== '' && !isConst(other, pick.node.scope)) {
        if (op !== 'Add') return done({ kind: 'linear' });
        residual = true;
      }
    } else if (!TRANSPARENT.has(op)) return done({ kind: 'linear' });
    path.push(op);
    tensor = n.outputs[0] ?? '';
    scope = pick.node.scope;
  }
  return done({ kind: 'linear' });
}

function choose(uses: readonly TensorUse[]): TensorUse {
  return [...uses].sort((a, b) => a.node.order - b.node.order)[0] as TensorUse;
}

interface Recognized {
  readonly activation: Activation;
  /** Path entry, e.g. `PRelu(mean slope of 64 channels)` or `Gelu(tanh)`. */
  readonly label: string;
  /** For written-out forms: the tensor holding x·g(x) (after any constant scale such as ·½). */
  readonly output?: string;
}

function asActivation(index: GraphIndex, use: TensorUse, constValues: ConstValues | undefined): Recognized | undefined {
  const n = use.node.node;
  const as = (activation: Activation): Recognized => ({ activation, label: n.opType });
  switch (n.opType) {
    case 'Relu': return as({ kind: 'relu' });
    case 'LeakyRelu': return as({ kind: 'leaky_relu', alpha: attrFloat(n, 'alpha', 0.01) });
    case 'PRelu': return prelu(index, use.node, constValues);
    case 'Elu': return as({ kind: 'elu' });
    case 'Celu': return as({ kind: 'celu' });
    case 'Selu': return as({ kind: 'selu' });
    case 'Gelu': case 'FastGelu': case 'BiasGelu': return as({ kind: 'gelu' });
    case 'Tanh': return as({ kind: 'tanh' });
    case 'Sigmoid': return as({ kind: 'sigmoid' });
    case 'HardSigmoid': return as({ kind: 'hardsigmoid' });
    case 'HardSwish': return as({ kind: 'hardswish' });
    case 'Softplus': return as({ kind: 'softplus' });
    case 'Mish': return as({ kind: 'mish' });
    case 'Swish': case 'QuickGelu': return as({ kind: 'silu' });
    case 'Softmax': case 'LogSoftmax': return as({ kind: 'softmax' });
    case 'Clip': {
      const min = n.inputs[1];
      return min !== undefined && min !== '' ? as({ kind: 'relu' }) : undefined;
    }
    default: return undefined;
  }
}

/** Ops a slope goes through on its way from the initializer (an exporter's Unsqueeze / Reshape to [C,1,1]). */
const SLOPE_CARRIERS = new Set(['Identity', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten', 'Expand', 'Cast']);

/** PRelu: the gain of its slope tensor (the mean when it is per channel), √(2/(1+a²)) like LeakyRelu. */
function prelu(index: GraphIndex, node: NodeRef, constValues: ConstValues | undefined): Recognized {
  let name = node.node.inputs[1] ?? '';
  let scope = node.scope;
  let values = name !== '' ? constValues?.(name, scope) : undefined;
  for (let step = 0; step < 4 && values === undefined && name !== ''; step++) {
    const p = index.producerOf(name, scope);
    if (p === undefined || !SLOPE_CARRIERS.has(p.node.opType)) break;
    name = p.node.inputs[0] ?? '';
    scope = p.scope;
    values = name !== '' ? constValues?.(name, scope) : undefined;
  }
  let sum = 0;
  for (const v of values ?? []) sum += v;
  const mean = values !== undefined && values.length > 0 ? sum / values.length : NaN;
  if (!Number.isFinite(mean)) {
    return { activation: { kind: 'prelu', alpha: 0.25 }, label: 'PRelu(slope not readable: 0.25 assumed, the PyTorch initial value)' };
  }
  const a = +mean.toPrecision(6);
  const count = values?.length ?? 0;
  return { activation: { kind: 'prelu', alpha: a }, label: count > 1 ? `PRelu(mean slope ${a} of ${count} channels)` : `PRelu(slope ${a})` };
}

/** Elementwise ops a written-out activation is made of. */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Exp', 'Log', 'Erf', 'Tanh', 'Sigmoid', 'HardSigmoid', 'Softplus',
  'Clip', 'Relu', 'Min', 'Max', 'Identity', 'Cast',
]);
/** Gates g in x·g(x) and what they make; a Tanh gate is told apart by what feeds it (see gateOf). */
const GATE_OPS = new Set(['Erf', 'Tanh', 'Sigmoid', 'HardSigmoid', 'Clip', 'Min']);
const MAX_GATE_NODES = 32;
const AFFINE = new Set(['Add', 'Sub', 'Mul', 'Div']);

/**
 * An activation written out as x·g(x) from elementwise ops on `x` alone: the output of a gate
 * (Erf, Tanh, Sigmoid, HardSigmoid, Clip/Min as Relu6), shifted and scaled by constants, is
 * multiplied by x (or a constant multiple of x). Covers Silu (x·σ(x)), GELU's erf form
 * (x·½(1+erf(x/√2))) and tanh form (x·½(1+tanh(√(2/π)(x+0.044715x³))), PyTorch
 * `approximate='tanh'`, HF gelu_new), HardSwish (x·HardSigmoid(x), x·Relu6(x+3)/6) and Mish
 * (x·tanh(softplus(x))).
 */
function selfGated(index: GraphIndex, x: string, scope: string, isConst: IsConst): Recognized | undefined {
  // Elementwise nodes reachable from x (bounded), then those whose every input is x, a constant or
  // an output of another kept node, in graph (topological) order.
  const reach = new Map<number, NodeRef>();
  const queue: { name: string; scope: string }[] = [{ name: x, scope }];
  for (let q = 0; q < queue.length && reach.size < MAX_GATE_NODES; q++) {
    const t = queue[q] as { name: string; scope: string };
    for (const u of index.consumersOf(t.name, t.scope)) {
      const r = u.node;
      if (!ELEMENTWISE.has(r.node.opType) || reach.has(r.order) || reach.size >= MAX_GATE_NODES) continue;
      reach.set(r.order, r);
      const out = r.node.outputs[0] ?? '';
      if (out !== '') queue.push({ name: out, scope: r.scope });
    }
  }
  if (![...reach.values()].some((r) => GATE_OPS.has(r.node.opType))) return undefined;
  const derived = new Set([x]);
  // Tensors that are x times a constant (x, 0.5·x, x/6): what the gate multiplies.
  const linear = new Set([x]);
  const kept = new Map<string, NodeRef>();
  for (const r of [...reach.values()].sort((a, b) => a.order - b.order)) {
    const inputs = r.node.inputs.filter((i) => i !== '');
    if (inputs.length === 0 || !inputs.every((i) => derived.has(i) || isConst(i, r.scope))) continue;
    const out = r.node.outputs[0] ?? '';
    if (out === '') continue;
    kept.set(out, r);
    derived.add(out);
    const op = r.node.opType;
    const scales = op === 'Identity' || op === 'Cast' ? linear.has(inputs[0] as string)
      : op === 'Mul' ? inputs.length === 2 && inputs.some((i) => linear.has(i)) && inputs.some((i) => isConst(i, r.scope))
        : op === 'Div' && linear.has(r.node.inputs[0] ?? '') && isConst(r.node.inputs[1] ?? '', r.scope);
    if (scales) linear.add(out);
  }
  const keptOrder = new Set([...kept.values()].map((r) => r.order));
  for (const g of kept.values()) {
    if (!GATE_OPS.has(g.node.opType)) continue;
    // Follow the gate's output through constant shifts / scales to a Mul by (a multiple of) x.
    let t = g.node.outputs[0] ?? '';
    let product: NodeRef | undefined;
    for (let step = 0; step < 4 && t !== '' && product === undefined; step++) {
      const next = index.consumersOf(t, g.scope).filter((u) => keptOrder.has(u.node.order));
      product = next.find((u) => u.node.node.opType === 'Mul' && linear.has(u.node.node.inputs[1 - u.inputIndex] ?? ''))?.node;
      const shift = next.find((u) => AFFINE.has(u.node.node.opType) && isConst(u.node.node.inputs[1 - u.inputIndex] ?? '', u.node.scope)
        || u.node.node.opType === 'Identity' || u.node.node.opType === 'Cast');
      t = shift?.node.node.outputs[0] ?? '';
    }
    if (product === undefined) continue;
    const found = gateOf(g, kept, derived, isConst);
    if (found !== undefined) return { ...found, output: scaledOutput(index, product, kept, isConst) };
  }
  return undefined;
}

/** The output of x·g(x): the product, or a constant multiple of it (x·(1+erf(x/√2))·½). */
function scaledOutput(index: GraphIndex, product: NodeRef, kept: ReadonlyMap<string, NodeRef>, isConst: IsConst): string {
  let out = product.node.outputs[0] ?? '';
  for (let step = 0; step < 4; step++) {
    const scale = index.consumersOf(out, product.scope).find((u) => kept.get(u.node.node.outputs[0] ?? '') === u.node
      && (u.node.node.opType === 'Mul' || (u.node.node.opType === 'Div' && u.inputIndex === 0)) && isConst(u.node.node.inputs[1 - u.inputIndex] ?? '', u.node.scope));
    if (scale === undefined) break;
    out = scale.node.node.outputs[0] ?? out;
  }
  return out;
}

/** What x·g(x) is, from the gate g and the ops that compute its input from x. */
function gateOf(g: NodeRef, kept: ReadonlyMap<string, NodeRef>, derived: ReadonlySet<string>, isConst: IsConst): Recognized | undefined {
  const ancestors = new Set<string>();
  let cube = false;
  const stack = g.node.inputs.filter((i) => kept.has(i));
  const seen = new Set<string>();
  while (stack.length > 0 && seen.size < MAX_GATE_NODES) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const r = kept.get(name);
    if (r === undefined) continue;
    ancestors.add(r.node.opType);
    // A power of x: Pow, or a Mul of two x-derived tensors (x·x·x).
    if (r.node.opType === 'Pow' || (r.node.opType === 'Mul' && r.node.inputs.every((i) => derived.has(i) && !isConst(i, r.scope)))) cube = true;
    for (const i of r.node.inputs) if (kept.has(i)) stack.push(i);
  }
  switch (g.node.opType) {
    case 'Erf': return { activation: { kind: 'gelu' }, label: 'Gelu(erf)' };
    case 'Sigmoid': return { activation: { kind: 'silu' }, label: 'Sigmoid·Mul' };
    case 'HardSigmoid': return { activation: { kind: 'hardswish' }, label: 'HardSigmoid·Mul' };
    case 'Clip': case 'Min': return { activation: { kind: 'hardswish' }, label: 'HardSwish(x·Relu6(x+3)/6)' };
    case 'Tanh':
      if (ancestors.has('Softplus') || (ancestors.has('Exp') && ancestors.has('Log'))) return { activation: { kind: 'mish' }, label: 'Mish(x·tanh(softplus(x)))' };
      return cube ? { activation: { kind: 'gelu' }, label: 'Gelu(tanh)' } : undefined;
    default: return undefined;
  }
}
