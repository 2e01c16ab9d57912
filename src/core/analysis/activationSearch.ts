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
}

/** Whether a tensor name is a constant (initializer or Constant output) in scope. */
export type IsConst = (name: string, scope: string) => boolean;

/** Finds the activation that actually follows `layer` in the graph. */
export function findActivation(index: GraphIndex, layer: NodeRef, isConst: IsConst): ActivationFound {
  const path: string[] = [];
  let normalized = false;
  let residual = false;
  let tensor = layer.node.outputs[0] ?? '';
  let scope = layer.scope;
  const done = (activation: Activation): ActivationFound => ({ activation, path, normalizedAfter: normalized, residualAdd: residual });
  for (let step = 0; step < MAX_STEPS && tensor !== ''; step++) {
    const uses = index.consumersOf(tensor, scope).filter((u) => !SHAPE_ONLY.has(u.node.node.opType));
    if (uses.length === 0) return done({ kind: 'linear' });
    const ops = new Set(uses.map((u) => u.node.node.opType));
    // Silu / HardSwish: x·sigmoid(x) — both the gate and the Mul read the same tensor.
    if (ops.has('Mul') && (ops.has('Sigmoid') || ops.has('HardSigmoid'))) {
      path.push(ops.has('Sigmoid') ? 'Sigmoid·Mul' : 'HardSigmoid·Mul');
      return done({ kind: ops.has('Sigmoid') ? 'silu' : 'hardswish' });
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
    const act = asActivation(index, pick, isConst);
    if (act !== undefined) {
      path.push(op === 'Div' || op === 'Mul' ? 'Gelu(erf)' : op);
      return done(act);
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

function asActivation(index: GraphIndex, use: TensorUse, isConst: IsConst): Activation | undefined {
  const n = use.node.node;
  switch (n.opType) {
    case 'Relu': return { kind: 'relu' };
    case 'LeakyRelu': return { kind: 'leaky_relu', alpha: attrFloat(n, 'alpha', 0.01) };
    case 'PRelu': return { kind: 'prelu', alpha: 0.25 };
    case 'Elu': return { kind: 'elu' };
    case 'Celu': return { kind: 'celu' };
    case 'Selu': return { kind: 'selu' };
    case 'Gelu': case 'FastGelu': case 'BiasGelu': return { kind: 'gelu' };
    case 'Tanh': return { kind: 'tanh' };
    case 'Sigmoid': return { kind: 'sigmoid' };
    case 'HardSigmoid': return { kind: 'hardsigmoid' };
    case 'HardSwish': return { kind: 'hardswish' };
    case 'Softplus': return { kind: 'softplus' };
    case 'Mish': return { kind: 'mish' };
    case 'Swish': case 'QuickGelu': return { kind: 'silu' };
    case 'Softmax': case 'LogSoftmax': return { kind: 'softmax' };
    case 'Clip': {
      const min = n.inputs[1];
      return min !== undefined && min !== '' ? { kind: 'relu' } : undefined;
    }
    case 'Div': case 'Mul': {
      // GELU's erf form: x/√2 → Erf → +1 → ·x → ·0.5
      const other = n.inputs[1 - use.inputIndex];
      if (other === undefined || !isConst(other, use.node.scope)) return undefined;
      const erf = index.consumersOfOutput(use.node).some((u) => u.node.node.opType === 'Erf');
      return erf ? { kind: 'gelu' } : undefined;
    }
    default: return undefined;
  }
}
