import type { Node } from '../onnx/model';
import { attrInt, attrString } from './weightUses';

export interface FanPair {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Op-aware fans of one weight use. `fanIn`/`fanOut` are what the recommendation uses. */
export interface FanResult extends FanPair {
  readonly convention: 'pytorch' | 'dataflow';
  /** `torch.nn.init._calculate_fan_in_and_fan_out` of the equivalent torch parameter. */
  readonly pytorch: FanPair | null;
  /** Inputs feeding one output / outputs fed by one input, as the data flows. */
  readonly dataflow: FanPair | null;
  readonly rule: string;
  /** Output-unit axis in the consumer's view of the tensor (null when there are no units, e.g. embeddings). */
  readonly outputAxis: number | null;
  /** Leading axes that index independent matrices (batched MatMul, RNN directions). */
  readonly batchAxes: number;
  /** For recurrent weights: per-gate fans and the ONNX gate order. */
  readonly gates: { readonly count: number; readonly hidden: number; readonly order: readonly string[]; readonly perGate: FanPair } | null;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** PyTorch's positional rule: fan_in = shape[1]·∏shape[2:], fan_out = shape[0]·∏shape[2:]; none below 2-D. */
export function torchFan(shape: readonly number[]): FanPair | null {
  if (shape.length < 2) return null;
  const rf = prod(shape.slice(2));
  return { fanIn: (shape[1] as number) * rf, fanOut: (shape[0] as number) * rf };
}

function same(a: FanPair | null, b: FanPair | null): boolean {
  return a !== null && b !== null && a.fanIn === b.fanIn && a.fanOut === b.fanOut;
}

function result(r: Omit<FanResult, 'fanIn' | 'fanOut'> & { use: FanPair }): FanResult {
  return { fanIn: r.use.fanIn, fanOut: r.use.fanOut, convention: r.convention, pytorch: r.pytorch, dataflow: r.dataflow, rule: r.rule, outputAxis: r.outputAxis, batchAxes: r.batchAxes, gates: r.gates };
}

/**
 * Fans of a weight read by `node` at `inputIndex` with the consumer-side `shape`. `rawParameter`
 * says the tensor is a raw [K,N] parameter rather than an exporter's transposed copy of an
 * nn.Linear weight, which decides what PyTorch's helper would have computed for it.
 */
export function computeFan(node: Node, inputIndex: number, shape: readonly number[], rawParameter: boolean): FanResult | null {
  const op = node.opType;
  const rank = shape.length;
  const k = prod(shape.slice(2));
  const ks = shape.slice(2).join('×');
  if ((op === 'Conv' && inputIndex === 1) || (op === 'QLinearConv' && inputIndex === 3) || (op === 'ConvInteger' && inputIndex === 1)) {
    if (rank < 3) return null;
    const g = Math.max(1, attrInt(node, 'group', 1));
    const [m, cg] = shape as [number, number];
    const use = { fanIn: cg * k, fanOut: m * k };
    const dw = g > 1 ? `; group=${g}${cg === 1 ? ' (depthwise)' : ''}: true per-group fan_out = ${(m / g) * k}` : '';
    return result({ use, convention: 'pytorch', pytorch: use, dataflow: use, outputAxis: 0, batchAxes: 0, gates: null,
      rule: `Conv W[M=${m}, C/g=${cg}, ${ks}]: fan_in = (C/g)·∏k = ${use.fanIn}, fan_out = M·∏k = ${use.fanOut}${dw}` });
  }
  if (op === 'ConvTranspose' && inputIndex === 1) {
    if (rank < 3) return null;
    const g = Math.max(1, attrInt(node, 'group', 1));
    const [c, mg] = shape as [number, number];
    const dataflow = { fanIn: (c / g) * k, fanOut: mg * g * k };
    const pytorch = torchFan(shape);
    return result({ use: dataflow, convention: 'dataflow', pytorch, dataflow, outputAxis: 1, batchAxes: 0, gates: null,
      rule: `ConvTranspose W[C=${c}, M/g=${mg}, ${ks}]: data-flow fan_in = (C/g)·∏k = ${dataflow.fanIn}, fan_out = M·∏k = ${dataflow.fanOut} (stride ignored); PyTorch's helper reads the swapped pair (${pytorch?.fanIn}, ${pytorch?.fanOut})` });
  }
  if (op === 'Gemm' && (inputIndex === 0 || inputIndex === 1) && rank === 2) {
    const [a, b] = shape as [number, number];
    if (inputIndex === 1) {
      const tb = attrInt(node, 'transB', 0) === 1;
      const use = tb ? { fanIn: b, fanOut: a } : { fanIn: a, fanOut: b };
      const pytorch = tb || !rawParameter ? use : torchFan(shape);
      return result({ use, convention: 'dataflow', pytorch, dataflow: use, outputAxis: tb ? 0 : 1, batchAxes: 0, gates: null,
        rule: tb ? `Gemm transB=1, B[N=${a}, K=${b}]: fan_in = K = ${b}, fan_out = N = ${a}` : `Gemm transB=0, B[K=${a}, N=${b}]: fan_in = K = ${a}, fan_out = N = ${b}` });
    }
    const ta = attrInt(node, 'transA', 0) === 1;
    const use = ta ? { fanIn: a, fanOut: b } : { fanIn: b, fanOut: a };
    return result({ use, convention: 'dataflow', pytorch: use, dataflow: use, outputAxis: ta ? 1 : 0, batchAxes: 0, gates: null,
      rule: `Gemm weight as A${ta ? ' (transA=1)' : ''} [${a}, ${b}]: fan_in = K = ${use.fanIn}, fan_out = M = ${use.fanOut}` });
  }
  if ((op === 'MatMul' || op === 'MatMulInteger') && (inputIndex === 0 || inputIndex === 1) && rank >= 2) {
    const r0 = shape[rank - 2] as number;
    const r1 = shape[rank - 1] as number;
    const batched = rank > 2 ? ` (batched: ${shape.slice(0, -2).join('×')} matrices)` : '';
    if (inputIndex === 1) {
      const use = { fanIn: r0, fanOut: r1 };
      const pytorch = rawParameter ? torchFan(rank === 2 ? shape : [r0, r1]) : use;
      return result({ use, convention: 'dataflow', pytorch, dataflow: use, outputAxis: rank - 1, batchAxes: rank - 2, gates: null,
        rule: `MatMul B[K=${r0}, N=${r1}] (x @ W)${batched}: fan_in = K = ${r0}, fan_out = N = ${r1}` });
    }
    const use = { fanIn: r1, fanOut: r0 };
    return result({ use, convention: 'dataflow', pytorch: use, dataflow: use, outputAxis: rank - 2, batchAxes: rank - 2, gates: null,
      rule: `MatMul A[M=${r0}, K=${r1}] (W @ x)${batched}: fan_in = K = ${r1}, fan_out = M = ${r0}` });
  }
  if (op === 'QLinearMatMul' && (inputIndex === 0 || inputIndex === 3) && rank >= 2) {
    return computeFan({ ...node, opType: 'MatMul' }, inputIndex === 3 ? 1 : 0, shape, rawParameter);
  }
  if (op === 'MatMulNBits' && inputIndex === 1) {
    const kk = attrInt(node, 'K', 0);
    const n = attrInt(node, 'N', 0);
    if (kk <= 0 || n <= 0) return null;
    const use = { fanIn: kk, fanOut: n };
    return result({ use, convention: 'dataflow', pytorch: use, dataflow: use, outputAxis: 0, batchAxes: 0, gates: null,
      rule: `MatMulNBits B[N=${n}, k_blocks, blob] (K=${kk}): fan_in = K, fan_out = N` });
  }
  if ((op === 'LSTM' || op === 'GRU' || op === 'RNN') && (inputIndex === 1 || inputIndex === 2) && rank === 3) {
    const count = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
    const order = op === 'LSTM' ? ['i', 'o', 'f', 'c'] : op === 'GRU' ? ['z', 'r', 'h'] : ['h'];
    const [, gh, inner] = shape as [number, number, number];
    // The weight's own shape decides: a hidden_size attribute that disagrees with it (or is ≤ 0) is ignored.
    const hiddenAttr = attrInt(node, 'hidden_size', gh / count);
    const hidden = hiddenAttr > 0 && hiddenAttr * count === gh ? hiddenAttr : gh / count;
    const use = { fanIn: inner, fanOut: gh };
    const what = inputIndex === 1 ? `W[num_dir, ${count}·H=${gh}, I=${inner}]` : `R[num_dir, ${count}·H=${gh}, H=${inner}]`;
    return result({ use, convention: 'pytorch', pytorch: use, dataflow: use, outputAxis: 1, batchAxes: 1,
      gates: Number.isInteger(hidden) ? { count, hidden, order, perGate: { fanIn: inner, fanOut: hidden } } : null,
      rule: `${op} ${what}: per direction fan_in = ${inner}, fan_out = ${gh} (torch convention on the [gates·H, in] matrix); per gate (${order.join(',')}) ${inner} → ${hidden}` });
  }
  if (op === 'Gather' && inputIndex === 0 && rank >= 2 && attrInt(node, 'axis', 0) === 0) {
    const use = torchFan(shape) as FanPair;
    return result({ use, convention: 'pytorch', pytorch: use, dataflow: null, outputAxis: null, batchAxes: 0, gates: null,
      rule: `Gather table [V=${shape[0]}, d=${shape.slice(1).join('×')}] (embedding): torch convention fan_in = d, fan_out = V; not a linear layer, compared with embedding conventions` });
  }
  if (op === 'Einsum') return einsumFan(node, inputIndex, shape);
  return null;
}

/** Einsum where the weight is one operand of a plain projection, e.g. `bij,jk->bik`. */
function einsumFan(node: Node, inputIndex: number, shape: readonly number[]): FanResult | null {
  const eq = attrString(node, 'equation')?.replace(/\s+/g, '');
  if (eq === undefined || eq.includes('.') || !eq.includes('->')) return null;
  const [lhs, rhs] = eq.split('->') as [string, string];
  const ops = lhs.split(',');
  const mine = ops[inputIndex];
  if (ops.length !== 2 || mine === undefined || mine.length !== shape.length) return null;
  const other = ops[1 - inputIndex] as string;
  let fanIn = 1;
  let fanOut = 1;
  let outAxis: number | null = null;
  let kept = 0;
  for (let i = 0; i < mine.length; i++) {
    const c = mine[i] as string;
    const d = shape[i] as number;
    if (!rhs.includes(c)) fanIn *= d;
    else if (!other.includes(c)) { fanOut *= d; outAxis = i; kept++; }
  }
  if (fanIn === 1 && fanOut === 1) return null;
  const use = { fanIn, fanOut };
  return result({ use, convention: 'dataflow', pytorch: null, dataflow: use, outputAxis: kept === 1 ? outAxis : null, batchAxes: 0, gates: null,
    rule: `Einsum "${eq}" operand ${inputIndex} [${shape.join(', ')}]: fan_in = ∏ contracted dims = ${fanIn}, fan_out = ∏ kept dims = ${fanOut}` });
}

/** Whether the two conventions differ for this use (ConvTranspose, raw [K,N] MatMul). */
export function conventionsDiffer(f: FanResult): boolean {
  return f.pytorch !== null && f.dataflow !== null && !same(f.pytorch, f.dataflow);
}
