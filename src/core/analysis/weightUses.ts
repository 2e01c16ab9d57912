import type { Attribute, Node } from '../onnx/model';
import type { GraphIndex, NodeRef } from './graphIndex';

/** Dequantization applied on the way from a stored tensor to its consumer. */
export interface DequantStep {
  readonly scale: string;
  readonly zeroPoint: string | undefined;
  /** Per-axis / blocked axis in the stored tensor (normalized to ≥ 0). */
  readonly axis: number;
  readonly blockSize: number;
  readonly scope: string;
}

/** One use of a weight: the consuming node, which input, and the chain followed to get there. */
export interface WeightUse {
  readonly node: NodeRef;
  readonly inputIndex: number;
  /** `Op:name` of every pass-through node followed (Identity, DequantizeLinear, Cast, Transpose, ...). */
  readonly via: readonly string[];
  /** Shape as the consumer sees it (after Transpose / Reshape / Squeeze / Unsqueeze). */
  readonly shape: readonly number[];
  /** For each axis of `shape`, the stored axis it comes from (-1 when it has no single source). */
  readonly axisSource: readonly number[];
  readonly dequant: DequantStep | undefined;
  /** True when a shape-changing step could not be resolved (the stored shape was kept). */
  readonly shapeUncertain: boolean;
  /** True when the chain went through a Transpose (the stored layout differs from the consumer's). */
  readonly transposed: boolean;
}

/** Reads a small constant integer tensor (Reshape shapes, Squeeze axes) by name, if it is one. */
export type ConstInts = (name: string, scope: string) => readonly number[] | undefined;

const PASS_THROUGH = new Set(['Identity', 'Cast', 'CastLike', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'DequantizeLinear', 'Flatten']);
const MAX_CHAIN = 16;

export function attr(node: Node, name: string): Attribute['value'] | undefined {
  return node.attributes.find((a) => a.name === name)?.value;
}
export function attrInt(node: Node, name: string, dflt: number): number {
  const v = attr(node, name);
  return v !== undefined && v.type === 'int' ? v.value : dflt;
}
export function attrFloat(node: Node, name: string, dflt: number): number {
  const v = attr(node, name);
  return v !== undefined && v.type === 'float' ? v.value : dflt;
}
export function attrInts(node: Node, name: string): readonly number[] | undefined {
  const v = attr(node, name);
  return v !== undefined && v.type === 'ints' ? v.value : undefined;
}
export function attrString(node: Node, name: string): string | undefined {
  const v = attr(node, name);
  return v !== undefined && v.type === 'string' ? v.value : undefined;
}

interface ChainState {
  shape: number[];
  axisSource: number[];
  via: string[];
  dequant: DequantStep | undefined;
  uncertain: boolean;
  transposed: boolean;
}

/**
 * Follows a weight from its defining name to every real consumer through pass-through ops, so a
 * tensor shared by several nodes (tied weights, exporter de-duplication via Identity) gets all its
 * uses. A pass-through node whose output nobody reads is itself reported as the use.
 */
export function findWeightUses(index: GraphIndex, name: string, scope: string, dims: readonly number[], constInts: ConstInts): WeightUse[] {
  const out: WeightUse[] = [];
  const visited = new Set<number>();
  const start: ChainState = { shape: [...dims], axisSource: dims.map((_, i) => i), via: [], dequant: undefined, uncertain: false, transposed: false };
  walk(name, scope, start, 0);
  return out;

  function walk(tensor: string, sc: string, st: ChainState, depth: number): void {
    for (const use of index.consumersOf(tensor, sc)) {
      const n = use.node.node;
      if (depth < MAX_CHAIN && use.inputIndex === 0 && PASS_THROUGH.has(n.opType) && n.domain === '' && !visited.has(use.node.order)) {
        visited.add(use.node.order);
        const next = step(n, use.node.scope, st);
        const outName = n.outputs[0];
        const readers = outName !== undefined && outName !== '' ? index.consumersOf(outName, use.node.scope) : [];
        if (readers.length === 0 || outName === undefined) {
          out.push(finish(use.node, use.inputIndex, st));
          continue;
        }
        walk(outName, use.node.scope, next, depth + 1);
        continue;
      }
      out.push(finish(use.node, use.inputIndex, st));
    }
  }

  function finish(node: NodeRef, inputIndex: number, st: ChainState): WeightUse {
    const dequant = st.dequant ?? (st.via.length === 0 ? implicitDequant(node, inputIndex, st.shape.length) : undefined);
    return { node, inputIndex, via: st.via, shape: st.shape, axisSource: st.axisSource, dequant, shapeUncertain: st.uncertain, transposed: st.transposed };
  }

  function step(n: Node, sc: string, st: ChainState): ChainState {
    const via = [...st.via, `${n.opType}:${n.name !== '' ? n.name : `#${n.index}`}`];
    const rank = st.shape.length;
    switch (n.opType) {
      case 'Transpose': {
        const perm = attrInts(n, 'perm') ?? st.shape.map((_, i) => rank - 1 - i);
        if (perm.length !== rank || perm.some((p) => p < 0 || p >= rank)) return { ...st, via, uncertain: true };
        return { ...st, via, shape: perm.map((p) => st.shape[p] as number), axisSource: perm.map((p) => st.axisSource[p] as number), transposed: true };
      }
      case 'Reshape': {
        const target = n.inputs[1] !== undefined ? constInts(n.inputs[1], sc) : undefined;
        const shape = target !== undefined ? resolveReshape(st.shape, target, attrInt(n, 'allowzero', 0) === 1) : undefined;
        if (shape === undefined) return { ...st, via, uncertain: true };
        return { ...st, via, shape, axisSource: mapAxes(st.shape, st.axisSource, shape) };
      }
      case 'Flatten': {
        const axisRaw = attrInt(n, 'axis', 1);
        const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
        if (axis < 0 || axis > rank) return { ...st, via, uncertain: true };
        const shape = [prod(st.shape.slice(0, axis)), prod(st.shape.slice(axis))];
        return { ...st, via, shape, axisSource: mapAxes(st.shape, st.axisSource, shape) };
      }
      case 'Squeeze':
      case 'Unsqueeze': {
        const axes = attrInts(n, 'axes') ?? (n.inputs[1] !== undefined && n.inputs[1] !== '' ? constInts(n.inputs[1], sc) : undefined);
        if (n.opType === 'Squeeze') {
          const norm = axes?.map((a) => (a < 0 ? a + rank : a));
          const keep = st.shape.map((d, i) => (norm === undefined ? d !== 1 : !norm.includes(i)));
          return { ...st, via, shape: st.shape.filter((_, i) => keep[i]), axisSource: st.axisSource.filter((_, i) => keep[i]) };
        }
        if (axes === undefined) return { ...st, via, uncertain: true };
        const outRank = rank + axes.length;
        const norm = axes.map((a) => (a < 0 ? a + outRank : a));
        const shape: number[] = [];
        const src: number[] = [];
        let k = 0;
        for (let i = 0; i < outRank; i++) {
          if (norm.includes(i)) { shape.push(1); src.push(-1); } else { shape.push(st.shape[k] ?? 1); src.push(st.axisSource[k] ?? -1); k++; }
        }
        return { ...st, via, shape, axisSource: src };
      }
      case 'DequantizeLinear': {
        const scale = n.inputs[1] ?? '';
        const axisRaw = attrInt(n, 'axis', 1);
        const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
        // The axis names the consumer's layout; map it back to the stored tensor.
        const storedAxis = st.axisSource[Math.max(0, axis)] ?? -1;
        const blockSize = attrInt(n, 'block_size', 0);
        const usable = st.dequant === undefined && storedAxis >= 0 && (blockSize === 0 || !st.transposed);
        const dequant: DequantStep | undefined = usable ? { scale, zeroPoint: n.inputs[2] !== undefined && n.inputs[2] !== '' ? n.inputs[2] : undefined, axis: storedAxis, blockSize, scope: sc } : st.dequant;
        return { ...st, via, dequant };
      }
      default:
        return { ...st, via };
    }
  }
}

/** QLinearConv / QLinearMatMul carry their weight's scale and zero point as inputs of the op itself. */
function implicitDequant(node: NodeRef, inputIndex: number, rank: number): DequantStep | undefined {
  const n = node.node;
  const slots = n.opType === 'QLinearConv' && inputIndex === 3 ? { s: 4, z: 5, axis: 0 }
    : n.opType === 'QLinearMatMul' && inputIndex === 3 ? { s: 4, z: 5, axis: Math.max(0, rank - 1) }
      : n.opType === 'QLinearMatMul' && inputIndex === 0 ? { s: 1, z: 2, axis: Math.max(0, rank - 2) } : undefined;
  const scale = slots !== undefined ? n.inputs[slots.s] : undefined;
  if (slots === undefined || scale === undefined || scale === '') return undefined;
  const zp = n.inputs[slots.z];
  return { scale, zeroPoint: zp !== undefined && zp !== '' ? zp : undefined, axis: slots.axis, blockSize: 0, scope: node.scope };
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

function resolveReshape(from: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const total = prod(from);
  const shape = target.map((d, i) => (d === 0 && !allowZero ? (from[i] ?? 0) : d));
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => d < -1)) return undefined;
  const known = prod(shape.filter((d) => d !== -1));
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) return undefined;
    return shape.map((d) => (d === -1 ? total / known : d));
  }
  return known === total ? shape : undefined;
}

/** An output axis keeps its source when the element count before it and its size match a stored axis. */
function mapAxes(from: readonly number[], src: readonly number[], to: readonly number[]): number[] {
  const before = (s: readonly number[], i: number): number => prod(s.slice(0, i));
  return to.map((d, i) => {
    const b = before(to, i);
    for (let j = 0; j < from.length; j++) if (from[j] === d && before(from, j) === b && d !== 1) return src[j] as number;
    return -1;
  });
}
