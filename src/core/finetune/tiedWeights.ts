import type { TensorRef } from '../onnx/model';
import { tensorValueChunks, type TensorDataContext } from '../onnx/tensorValues';
import type { TransposedEqual } from './headDetection';

/** Above this many values per tensor the tie is judged by shape only (reading both would cost a full pass). */
const MAX_CHECKED_ELEMENTS = 1 << 22;

function values(t: TensorRef, ctx: TensorDataContext): Float64Array | undefined {
  const out = new Float64Array(t.elementCount);
  let at = 0;
  try {
    for (const chunk of tensorValueChunks(t, ctx)) {
      out.set(chunk, at);
      at += chunk.length;
    }
  } catch {
    // A refused or undecodable tensor cannot confirm the tie; the caller falls back to shapes.
    return undefined;
  }
  return at === t.elementCount ? out : undefined;
}

/**
 * Checks that a [V, d] embedding equals a [d, V] head weight transposed (how the TorchScript
 * exporter stores a tied lm_head), exactly, for tensors up to 4 M values; undefined when it
 * cannot tell.
 */
export function transposedEqualFrom(ctx: TensorDataContext): TransposedEqual {
  return (a, b) => {
    if (a.dims.length !== 2 || b.dims.length !== 2 || a.dims[0] !== b.dims[1] || a.dims[1] !== b.dims[0]) return false;
    if (a.elementCount > MAX_CHECKED_ELEMENTS) return undefined;
    const va = values(a, ctx), vb = values(b, ctx);
    if (!va || !vb) return undefined;
    const rows = a.dims[0]!, cols = a.dims[1]!;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = va[r * cols + c]!, y = vb[c * rows + r]!;
        if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
      }
    }
    return true;
  };
}
