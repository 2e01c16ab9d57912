import { WireType } from '../protobuf/wireReader';
import type { DecodeContext } from './decodeContext';
import type { TypeInfo } from './model';

type Dim = number | string | null;

function decodeDimension(ctx: DecodeContext, end: number): Dim {
  const M = 'TensorShapeProto.Dimension';
  ctx.enter(M);
  const r = ctx.r;
  let dim: Dim = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: ctx.expect(tag, WireType.VARINT, M, 'dim_value'); dim = r.int64(end); break;
      case 2: dim = ctx.string(tag, end, M, 'dim_param'); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  return dim;
}

function decodeShape(ctx: DecodeContext, end: number): Dim[] {
  const M = 'TensorShapeProto';
  ctx.enter(M);
  const r = ctx.r;
  const dims: Dim[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag >>> 3 === 1) dims.push(decodeDimension(ctx, ctx.messageEnd(tag, end, M, 'dim')));
    else r.skip(tag & 7, end, tag >>> 3);
  }
  ctx.finish(end, M);
  ctx.leave();
  return dims;
}

/** TypeProto.Tensor / SparseTensor: elem_type = 1, shape = 2. */
function decodeTensorType(ctx: DecodeContext, end: number, M: string): { elemType: number; shape: Dim[] | undefined } {
  ctx.enter(M);
  const r = ctx.r;
  let elemType = 0;
  let shape: Dim[] | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: ctx.expect(tag, WireType.VARINT, M, 'elem_type'); elemType = r.int32(end); break;
      case 2: shape = [...(shape ?? []), ...decodeShape(ctx, ctx.messageEnd(tag, end, M, 'shape'))]; break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  return { elemType, shape };
}

/** Sequence / Optional (elem_type = 1: TypeProto) and Map (key_type = 1, value_type = 2). */
function decodeWrapper(ctx: DecodeContext, end: number, M: string, isMap: boolean): { key: number; elem: TypeInfo | undefined } {
  ctx.enter(M);
  const r = ctx.r;
  let key = 0;
  let elem: TypeInfo | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    if (isMap && field === 1) {
      ctx.expect(tag, WireType.VARINT, M, 'key_type');
      key = r.int32(end);
    } else if (field === (isMap ? 2 : 1)) elem = decodeTypeProto(ctx, tag, end, M, isMap ? 'value_type' : 'elem_type');
    else r.skip(tag & 7, end, field);
  }
  ctx.finish(end, M);
  ctx.leave();
  return { key, elem };
}

/**
 * Decodes a TypeProto field (tag already read). A repeated singular sub-message replaces the
 * earlier one here instead of merging: types carry no weights, so the simpler rule is harmless.
 */
export function decodeTypeProto(ctx: DecodeContext, tag: number, end: number, parent: string, field: string): TypeInfo | undefined {
  const M = 'TypeProto';
  const tEnd = ctx.messageEnd(tag, end, parent, field);
  ctx.enter(M);
  const r = ctx.r;
  let out: TypeInfo = { kind: 'unknown' };
  while (r.pos < tEnd) {
    const t = r.tag(tEnd);
    switch (t >>> 3) {
      case 1: out = { kind: 'tensor', ...decodeTensorType(ctx, ctx.messageEnd(t, tEnd, M, 'tensor_type'), 'TypeProto.Tensor') }; break;
      case 4: out = { kind: 'sequence', elem: decodeWrapper(ctx, ctx.messageEnd(t, tEnd, M, 'sequence_type'), 'TypeProto.Sequence', false).elem }; break;
      case 5: {
        const m = decodeWrapper(ctx, ctx.messageEnd(t, tEnd, M, 'map_type'), 'TypeProto.Map', true);
        out = { kind: 'map', keyType: m.key, value: m.elem };
        break;
      }
      case 8: out = { kind: 'sparse_tensor', ...decodeTensorType(ctx, ctx.messageEnd(t, tEnd, M, 'sparse_tensor_type'), 'TypeProto.SparseTensor') }; break;
      case 9: out = { kind: 'optional', elem: decodeWrapper(ctx, ctx.messageEnd(t, tEnd, M, 'optional_type'), 'TypeProto.Optional', false).elem }; break;
      default: r.skip(t & 7, tEnd, t >>> 3);
    }
  }
  ctx.finish(tEnd, M);
  ctx.leave();
  return out;
}
