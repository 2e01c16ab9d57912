import type { GraphIndex, NodeRef } from './graphIndex';
import { WEIGHT_OPS } from './activationSearch';
import type { WeightUse } from './weightUses';

/** Roles, in the corpus oracle's vocabulary. */
export type Role =
  | 'weight' | 'bias' | 'norm_scale' | 'norm_bias' | 'norm_running_mean' | 'norm_running_var' | 'embedding'
  | 'rnn_input_weight' | 'rnn_recurrent_weight' | 'rnn_bias' | 'quant_scale' | 'quant_zero_point' | 'parameter' | 'constant';

/** Roles whose uses become layers (with fans, recommendations and fingerprints). */
export const LAYER_ROLES = new Set<Role>(['weight', 'embedding', 'rnn_input_weight', 'rnn_recurrent_weight']);

const NORM_SCALE_BIAS: Record<string, [number, number]> = {
  LayerNormalization: [1, 2], InstanceNormalization: [1, 2], GroupNormalization: [1, 2], SimplifiedLayerNormalization: [1, -1],
  RMSNormalization: [1, -1], SkipLayerNormalization: [2, 3], SkipSimplifiedLayerNormalization: [2, -1],
};

/** Role of one use, from the consuming op and input slot (plus the producer of the other operand for Add/Mul). */
export function roleOfUse(index: GraphIndex, use: WeightUse, isFloat: boolean, elementCount: number): Role {
  const n = use.node.node;
  const i = use.inputIndex;
  const op = n.opType;
  const small: Role = isFloat && elementCount > 1 ? 'parameter' : 'constant';
  switch (op) {
    case 'Conv': case 'ConvTranspose': case 'ConvInteger': return i === 1 ? 'weight' : i === 2 ? 'bias' : small;
    case 'Gemm': return i <= 1 ? 'weight' : 'bias';
    case 'MatMul': case 'Einsum': return isFloat || use.dequant !== undefined ? 'weight' : small;
    case 'MatMulInteger': return i <= 1 ? 'weight' : 'quant_zero_point';
    case 'MatMulNBits': return i === 1 ? 'weight' : i === 2 ? 'quant_scale' : i === 3 ? 'quant_zero_point' : i === 5 ? 'bias' : small;
    case 'QLinearConv': return i === 3 ? 'weight' : i === 8 ? 'bias' : [1, 4, 6].includes(i) ? 'quant_scale' : [2, 5, 7].includes(i) ? 'quant_zero_point' : small;
    case 'QLinearMatMul': return i === 0 || i === 3 ? 'weight' : [1, 4, 6].includes(i) ? 'quant_scale' : 'quant_zero_point';
    case 'Gather': return i === 0 && isFloat && use.shape.length >= 2 ? 'embedding' : small;
    case 'BatchNormalization': return (['constant', 'norm_scale', 'norm_bias', 'norm_running_mean', 'norm_running_var'] as Role[])[i] ?? small;
    case 'LSTM': case 'GRU': case 'RNN': return i === 1 ? 'rnn_input_weight' : i === 2 ? 'rnn_recurrent_weight' : i === 3 ? 'rnn_bias' : small;
    case 'QuantizeLinear': case 'DequantizeLinear': return i === 1 ? 'quant_scale' : i === 2 ? 'quant_zero_point' : small;
    case 'Add': case 'Sub': case 'Mul': {
      if (!isFloat || elementCount <= 1) return 'constant';
      const other = n.inputs[1 - i];
      const prod = other !== undefined ? index.producerOf(other, use.node.scope) : undefined;
      if (prod === undefined) return small;
      if (op === 'Mul' && isNormalizedTensor(index, prod)) return 'norm_scale';
      if (op === 'Add' && prod.node.opType === 'Mul' && prod.node.inputs.some((x) => { const p = index.producerOf(x, prod.scope); return p !== undefined && isNormalizedTensor(index, p); })) return 'norm_bias';
      if (op === 'Add' && WEIGHT_OPS.has(prod.node.opType)) return 'bias';
      return small;
    }
    default: {
      const sb = NORM_SCALE_BIAS[op];
      if (sb !== undefined) return i === sb[0] ? 'norm_scale' : i === sb[1] ? 'norm_bias' : small;
      return small;
    }
  }
}

/** The output of a decomposed LayerNorm/RMSNorm: (x − mean)/√(var+ε) or x·rsqrt(...). */
function isNormalizedTensor(index: GraphIndex, node: NodeRef): boolean {
  const op = node.node.opType;
  if (op === 'Div') {
    const d = index.producerOf(node.node.inputs[1] ?? '', node.scope);
    return d !== undefined && (d.node.opType === 'Sqrt' || d.node.opType === 'Add' && d.node.inputs.some((x) => index.producerOf(x, d.scope)?.node.opType === 'Sqrt'));
  }
  if (op === 'Mul') return node.node.inputs.some((x) => { const p = index.producerOf(x, node.scope)?.node.opType; return p === 'Reciprocal' || p === 'Sqrt'; });
  return false;
}

/**
 * The tensor's main role: the role of its first direct use (not through Identity), else the most
 * frequent one. Exporters name a de-duplicated tensor after its first parameter, whose use is direct.
 */
export function primaryRole(uses: readonly { readonly role: Role; readonly direct: boolean }[]): Role {
  const direct = uses.find((u) => u.direct);
  if (direct !== undefined) return direct.role;
  const counts = new Map<Role, number>();
  for (const u of uses) counts.set(u.role, (counts.get(u.role) ?? 0) + 1);
  let best: Role = 'constant';
  let bestN = 0;
  for (const [r, c] of counts) if (c > bestN) { best = r; bestN = c; }
  return best;
}
