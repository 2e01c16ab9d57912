import { LimitExceededError, OnnxFormatError } from '../errors';
import { WireType } from '../protobuf/wireReader';
import type { DecodeContext } from './decodeContext';
import type { TypedField } from './dataTypes';
import { finalizeTensor } from './tensorRefusal';

/** One occurrence of a typed repeated field: where its payload is and how many entries it has. */
export interface TypedSegment {
  readonly offset: number;
  readonly length: number;
  readonly packed: boolean;
}

/** Everything a TensorProto said, before validation (protobuf merge semantics: fields accumulate). */
export interface TensorBuilder {
  protoOffset: number;
  name: string;
  docString: string;
  dataType: number;
  dims: number[];
  /** Some dim was outside the safe-integer range (kept approximately in `dims`). */
  dimsUnsafe: boolean;
  hasSegment: boolean;
  raw: { offset: number; length: number } | undefined;
  typed: Map<TypedField, { segments: TypedSegment[]; entries: number; above8: boolean; above16: boolean }>;
  external: { key: string; value: string }[];
  dataLocation: number;
}

export function newTensorBuilder(protoOffset: number): TensorBuilder {
  return {
    protoOffset,
    name: '',
    docString: '',
    dataType: 0,
    dims: [],
    dimsUnsafe: false,
    hasSegment: false,
    raw: undefined,
    typed: new Map(),
    external: [],
    dataLocation: 0,
  };
}

const MSG = 'TensorProto';
const SAFE_HI = 0x200000; // 2^53 / 2^32: a varint whose high word reaches this is not a safe integer

function typedEntry(b: TensorBuilder, field: TypedField): { segments: TypedSegment[]; entries: number; above8: boolean; above16: boolean } {
  let e = b.typed.get(field);
  if (e === undefined) {
    e = { segments: [], entries: 0, above8: false, above16: false };
    b.typed.set(field, e);
  }
  return e;
}

function readDim(ctx: DecodeContext, b: TensorBuilder, end: number): void {
  if (b.dims.length >= ctx.limits.maxListEntries) throw new LimitExceededError(`TensorProto.dims has more than ${ctx.limits.maxListEntries} entries`, ctx.r.pos);
  const v = ctx.r.int64(end);
  const hi = ctx.r.hi;
  if (hi >= SAFE_HI && hi < 0xffe00000) b.dimsUnsafe = true;
  b.dims.push(v);
}

/**
 * Counts the varints of a packed / single varint field without materialising them, and notes
 * whether any entry uses bits above 8 / 16 (bit-pattern types must not).
 */
function scanVarints(ctx: DecodeContext, end: number, e: { entries: number; above8: boolean; above16: boolean }): void {
  let k = 0;
  let acc = 0;
  let count = 0;
  let above8 = false;
  let above16 = false;
  const start = ctx.r.pos;
  ctx.r.scan(end, (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (k < 5) acc += (byte & 0x7f) * 2 ** (7 * k);
      k++;
      if (byte < 0x80) {
        if (k > 5 || acc > 0xffff) above16 = true;
        if (k > 5 || acc > 0xff) above8 = true;
        count++;
        k = 0;
        acc = 0;
      } else if (k >= 10) {
        throw new OnnxFormatError('malformed varint (longer than 10 bytes) in a packed tensor field', start);
      }
    }
  });
  if (k !== 0) throw new OnnxFormatError('packed varint field ends in the middle of a varint', end);
  e.entries += count;
  e.above8 ||= above8;
  e.above16 ||= above16;
}

function typedVarints(ctx: DecodeContext, tag: number, end: number, b: TensorBuilder, field: TypedField): void {
  const e = typedEntry(b, field);
  const r = ctx.r;
  if ((tag & 7) === WireType.VARINT) {
    const at = r.pos;
    r.varintParts(end);
    e.segments.push({ offset: at, length: r.pos - at, packed: false });
    e.entries++;
    if (r.hi !== 0 || r.lo > 0xffff) e.above16 = true;
    if (r.hi !== 0 || r.lo > 0xff) e.above8 = true;
    return;
  }
  const segEnd = ctx.messageEnd(tag, end, MSG, field);
  const at = r.pos;
  scanVarints(ctx, segEnd, e);
  e.segments.push({ offset: at, length: segEnd - at, packed: true });
}

function typedFixed(ctx: DecodeContext, tag: number, end: number, b: TensorBuilder, field: TypedField, width: 4 | 8): void {
  const e = typedEntry(b, field);
  const r = ctx.r;
  const single = width === 4 ? WireType.I32 : WireType.I64;
  if ((tag & 7) === single) {
    const at = r.pos;
    if (width === 4) r.float32(end);
    else r.double(end);
    e.segments.push({ offset: at, length: width, packed: false });
    e.entries++;
    return;
  }
  const segEnd = ctx.messageEnd(tag, end, MSG, field);
  const len = segEnd - r.pos;
  if (len % width !== 0) throw new OnnxFormatError(`TensorProto.${field}: packed length ${len} is not a multiple of ${width}`, r.pos);
  e.segments.push({ offset: r.pos, length: len, packed: true });
  e.entries += len / width;
  r.pos = segEnd;
}

function decodeEntry(ctx: DecodeContext, end: number, out: { key: string; value: string }[], message: string): void {
  ctx.enter(message);
  let key = '';
  let value = '';
  while (ctx.r.pos < end) {
    const tag = ctx.r.tag(end);
    switch (tag >>> 3) {
      case 1: key = ctx.string(tag, end, message, 'key'); break;
      case 2: value = ctx.string(tag, end, message, 'value'); break;
      default: ctx.r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, message);
  ctx.leave();
  out.push({ key, value });
}

/** Decodes StringStringEntryProto (metadata_props, external_data) into `out`. */
export function decodeStringEntry(ctx: DecodeContext, tag: number, end: number, parent: string, field: string, out: { key: string; value: string }[]): void {
  const entryEnd = ctx.messageEnd(tag, end, parent, field);
  decodeEntry(ctx, entryEnd, out, 'StringStringEntryProto');
}

/** Decodes a TensorProto payload [pos, end) into `b` (merging, like protobuf). */
export function decodeTensorInto(ctx: DecodeContext, end: number, b: TensorBuilder): void {
  ctx.enter(MSG);
  const r = ctx.r;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) === WireType.VARINT) readDim(ctx, b, end);
        else {
          const listEnd = ctx.messageEnd(tag, end, MSG, 'dims');
          while (r.pos < listEnd) readDim(ctx, b, listEnd);
        }
        break;
      case 2: ctx.expect(tag, WireType.VARINT, MSG, 'data_type'); b.dataType = r.int32(end); break;
      case 3: {
        const segEnd = ctx.messageEnd(tag, end, MSG, 'segment');
        b.hasSegment = true;
        r.pos = segEnd;
        break;
      }
      case 4:
        if ((tag & 7) !== WireType.I32) ctx.expect(tag, WireType.LEN, MSG, 'float_data');
        typedFixed(ctx, tag, end, b, 'float_data', 4);
        break;
      case 5:
        if ((tag & 7) !== WireType.VARINT) ctx.expect(tag, WireType.LEN, MSG, 'int32_data');
        typedVarints(ctx, tag, end, b, 'int32_data');
        break;
      case 6: {
        const sEnd = ctx.messageEnd(tag, end, MSG, 'string_data');
        const e = typedEntry(b, 'string_data');
        e.segments.push({ offset: r.pos, length: sEnd - r.pos, packed: false });
        e.entries++;
        r.pos = sEnd;
        break;
      }
      case 7:
        if ((tag & 7) !== WireType.VARINT) ctx.expect(tag, WireType.LEN, MSG, 'int64_data');
        typedVarints(ctx, tag, end, b, 'int64_data');
        break;
      case 8: b.name = ctx.string(tag, end, MSG, 'name'); break;
      case 9: {
        const rawEnd = ctx.messageEnd(tag, end, MSG, 'raw_data');
        b.raw = { offset: r.pos, length: rawEnd - r.pos };
        r.pos = rawEnd;
        break;
      }
      case 10:
        if ((tag & 7) !== WireType.I64) ctx.expect(tag, WireType.LEN, MSG, 'double_data');
        typedFixed(ctx, tag, end, b, 'double_data', 8);
        break;
      case 11:
        if ((tag & 7) !== WireType.VARINT) ctx.expect(tag, WireType.LEN, MSG, 'uint64_data');
        typedVarints(ctx, tag, end, b, 'uint64_data');
        break;
      case 12: b.docString = ctx.string(tag, end, MSG, 'doc_string'); break;
      case 13: decodeStringEntry(ctx, tag, end, MSG, 'external_data', b.external); break;
      case 14: ctx.expect(tag, WireType.VARINT, MSG, 'data_location'); b.dataLocation = r.int32(end); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, MSG);
  ctx.leave();
}

/** Reads a TensorProto sub-message field (tag already read) and returns its validated handle. */
export function decodeTensorField(ctx: DecodeContext, tag: number, end: number, parent: string, field: string, into?: TensorBuilder): TensorBuilder {
  const tEnd = ctx.messageEnd(tag, end, parent, field);
  const b = into ?? newTensorBuilder(ctx.r.pos);
  decodeTensorInto(ctx, tEnd, b);
  return b;
}

export { finalizeTensor };
