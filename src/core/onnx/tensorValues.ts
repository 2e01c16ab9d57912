import { ExternalDataError, TensorDecodeError } from '../errors';
import { shownLocation } from './externalLocation';
import type { ByteSource, ExternalDataHost } from '../host';
import { WireReader } from '../protobuf/wireReader';
import { dataTypeInfo, rawByteLength, type DataTypeInfo } from './dataTypes';
import { DataType, type TensorRef, type TensorRefusal } from './model';
import { bfloat16Table, float16Table, float4e2m1Table, float8e4m3fnTable, float8e4m3fnuzTable, float8e5m2fnuzTable, float8e5m2Table, float8e8m0Table } from './floatTables';

/** Where tensor bytes come from: the model file and the host that opens external files. */
export interface TensorDataContext {
  readonly model: ByteSource;
  readonly external: ExternalDataHost;
}

export interface TensorValueOptions {
  /** Elements per yielded chunk (default DEFAULT_CHUNK_ELEMENTS). */
  readonly chunkElements?: number;
  /**
   * Decode every chunk of raw / external data into the same buffer: each yielded array is
   * overwritten by the next one, so consume (or copy) it before pulling the next. Saves an
   * allocation (and its GC) per chunk in the statistics passes.
   */
  readonly reuseBuffer?: boolean;
}

/** Default elements per yielded chunk (512 KiB of float64). */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 16;
const TWO_32 = 4294967296;

/** A resolved byte range of raw little-endian values (inline raw_data or an external file). */
interface ByteRange {
  readonly source: ByteSource;
  readonly offset: number;
  readonly length: number;
  /** The external data file, quoted for messages (undefined: the model file). */
  readonly file?: string;
}

function refusalOf(e: unknown): TensorRefusal {
  if (e instanceof ExternalDataError) return { rule: `external-${e.rule}`, message: e.message };
  if (e instanceof TensorDecodeError) return { rule: e.rule, message: e.message };
  throw e;
}

/** Opens and bounds-checks external data; throws TensorDecodeError / ExternalDataError. */
function externalRange(tensor: TensorRef, ctx: TensorDataContext, info: DataTypeInfo): ByteRange {
  const s = tensor.storage;
  if (s.kind !== 'external') throw new Error('externalRange on a non-external tensor');
  let file;
  try {
    file = ctx.external.open(s.location);
  } catch (e) {
    if (e instanceof ExternalDataError) throw new ExternalDataError(e.location, e.rule, `tensor "${tensor.name}": ${e.message}`);
    throw e;
  }
  const size = file.source.size;
  const who = `tensor "${tensor.name}"`;
  const loc = shownLocation(s.location);
  if (s.offset > size) throw new ExternalDataError(s.location, 'bad-offset', `${who}: external_data offset ${s.offset} is beyond the end of file ${loc} (size ${size} bytes)`);
  const expected = rawByteLength(info.id, tensor.elementCount);
  const length = s.length ?? size - s.offset;
  if (s.offset + length > size) throw new ExternalDataError(s.location, 'out-of-bounds', `${who}: external_data offset ${s.offset} + length ${length} exceeds the size of ${loc} (${size} bytes; beyond end of file)`);
  if (expected !== undefined && length !== expected) {
    throw new ExternalDataError(s.location, 'length-mismatch', `${who}: ${s.length === undefined ? 'the rest of' : 'external_data length of'} ${loc} is ${length} bytes but dims × element size expect ${expected} bytes`);
  }
  return { source: file.source, offset: s.offset, length, file: loc };
}

/**
 * Checks that a tensor's data can be decoded: its decode-time refusal, then (for external data)
 * the host's containment rules and offset/length against the file size. Returns the refusal or
 * undefined when the data is readable.
 */
export function checkTensorData(tensor: TensorRef, ctx: TensorDataContext): TensorRefusal | undefined {
  if (tensor.refusal !== undefined) return tensor.refusal;
  const info = dataTypeInfo(tensor.dataType);
  if (info === undefined) return { rule: 'unknown-data-type', message: `tensor "${tensor.name}": unknown data_type ${tensor.dataType}` };
  if (tensor.storage.kind !== 'external') return undefined;
  try {
    externalRange(tensor, ctx, info);
    return undefined;
  } catch (e) {
    return refusalOf(e);
  }
}

type RawDecoder = (bytes: Uint8Array, dv: DataView, out: Float64Array, first: number, count: number) => void;

function lookup8(t: () => Float64Array): RawDecoder {
  return (bytes, _dv, out, first, count) => {
    const tab = t();
    for (let i = 0; i < count; i++) out[i] = tab[bytes[first + i] as number] as number;
  };
}
function lookup16(t: () => Float64Array): RawDecoder {
  return (_b, dv, out, first, count) => {
    const tab = t();
    for (let i = 0; i < count; i++) out[i] = tab[dv.getUint16((first + i) * 2, true)] as number;
  };
}
/** Sub-byte types: `first` / `count` are in elements; `per` elements per byte, low bits first. */
function packed(bits: 2 | 4, value: (v: number) => number): RawDecoder {
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  return (bytes, _dv, out, first, count) => {
    for (let i = 0; i < count; i++) {
      const e = first + i;
      out[i] = value(((bytes[Math.floor(e / per)] as number) >> ((e % per) * bits)) & mask);
    }
  };
}
const sext = (bits: number) => (v: number) => (v >= 1 << (bits - 1) ? v - (1 << bits) : v);

/** On little-endian hosts an aligned typed-array view decodes raw_data without per-element calls. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
type ViewCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor;
function viewed(View: ViewCtor, slow: RawDecoder): RawDecoder {
  const size = View.BYTES_PER_ELEMENT;
  return (bytes, dv, out, first, n) => {
    const at = bytes.byteOffset + first * size;
    if (LITTLE_ENDIAN && at % size === 0) out.set(new View(bytes.buffer as ArrayBuffer, at, n));
    else slow(bytes, dv, out, first, n);
  };
}

const RAW: Partial<Record<number, RawDecoder>> = {
  [DataType.FLOAT]: viewed(Float32Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getFloat32((first + i) * 4, true); }),
  [DataType.DOUBLE]: viewed(Float64Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getFloat64((first + i) * 8, true); }),
  [DataType.UINT8]: (b, _dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = b[first + i] as number; },
  [DataType.INT8]: (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getInt8(first + i); },
  [DataType.BOOL]: (b, _dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = b[first + i] === 0 ? 0 : 1; },
  [DataType.UINT16]: viewed(Uint16Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getUint16((first + i) * 2, true); }),
  [DataType.INT16]: viewed(Int16Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getInt16((first + i) * 2, true); }),
  [DataType.INT32]: viewed(Int32Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getInt32((first + i) * 4, true); }),
  [DataType.UINT32]: viewed(Uint32Array, (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getUint32((first + i) * 4, true); }),
  [DataType.INT64]: (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getInt32((first + i) * 8 + 4, true) * TWO_32 + dv.getUint32((first + i) * 8, true); },
  [DataType.UINT64]: (_b, dv, out, first, n) => { for (let i = 0; i < n; i++) out[i] = dv.getUint32((first + i) * 8 + 4, true) * TWO_32 + dv.getUint32((first + i) * 8, true); },
  [DataType.FLOAT16]: lookup16(float16Table),
  [DataType.BFLOAT16]: lookup16(bfloat16Table),
  [DataType.FLOAT8E4M3FN]: lookup8(float8e4m3fnTable),
  [DataType.FLOAT8E4M3FNUZ]: lookup8(float8e4m3fnuzTable),
  [DataType.FLOAT8E5M2]: lookup8(float8e5m2Table),
  [DataType.FLOAT8E5M2FNUZ]: lookup8(float8e5m2fnuzTable),
  [DataType.FLOAT8E8M0]: lookup8(float8e8m0Table),
  [DataType.UINT4]: packed(4, (v) => v),
  [DataType.INT4]: packed(4, sext(4)),
  [DataType.FLOAT4E2M1]: packed(4, (v) => float4e2m1Table()[v] as number),
  [DataType.UINT2]: packed(2, (v) => v),
  [DataType.INT2]: packed(2, sext(2)),
};

function* rawChunks(range: ByteRange, info: DataTypeInfo, total: number, chunk: number, reuse: boolean): Generator<Float64Array> {
  const decode = RAW[info.id] as RawDecoder;
  // Sub-byte types: keep chunks byte aligned.
  const step = info.bits < 8 ? Math.max(8, chunk - (chunk % 8)) : chunk;
  const shared = reuse ? new Float64Array(Math.min(step, total)) : undefined;
  for (let start = 0; start < total; start += step) {
    const n = Math.min(step, total - start);
    const byteStart = info.bits >= 8 ? (start * info.bits) / 8 : (start * info.bits) / 8;
    const byteLen = rawByteLength(info.id, n) as number;
    const bytes = range.source.read(range.offset + byteStart, byteLen);
    if (bytes.length < byteLen) {
      const where = range.file === undefined ? 'the model file' : `external data file ${range.file}`;
      throw new TensorDecodeError('', 'truncated-data', `data ends after ${byteStart + bytes.length} of ${range.length} bytes: ${where} ends early (it changed while being read?)`, range.offset + byteStart + bytes.length);
    }
    const out = shared !== undefined ? shared.subarray(0, n) : new Float64Array(n);
    decode(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out, 0, n);
    yield out;
  }
}

/** Converts one int32_data entry (already the low 32 bits, signed) into 1, 2 or 4 elements. */
function int32Entry(info: DataTypeInfo): (v: number, out: Float64Array, at: number, room: number) => number {
  const id = info.id;
  const t8 = id === DataType.FLOAT8E4M3FN ? float8e4m3fnTable : id === DataType.FLOAT8E4M3FNUZ ? float8e4m3fnuzTable : id === DataType.FLOAT8E5M2 ? float8e5m2Table : id === DataType.FLOAT8E5M2FNUZ ? float8e5m2fnuzTable : id === DataType.FLOAT8E8M0 ? float8e8m0Table : undefined;
  if (t8 !== undefined) return (v, out, at) => { out[at] = t8()[v & 0xff] as number; return 1; };
  if (id === DataType.FLOAT16 || id === DataType.BFLOAT16) {
    const t = id === DataType.FLOAT16 ? float16Table : bfloat16Table;
    return (v, out, at) => { out[at] = t()[v & 0xffff] as number; return 1; };
  }
  if (info.bits < 8) {
    const dec = RAW[id] as RawDecoder;
    const per = 8 / info.bits;
    const one = new Uint8Array(1);
    return (v, out, at, room) => {
      one[0] = v & 0xff;
      const n = Math.min(per, room);
      dec(one, new DataView(one.buffer), out.subarray(at, at + n), 0, n);
      return n;
    };
  }
  switch (id) {
    case DataType.INT8: return (v, out, at) => { out[at] = (v << 24) >> 24; return 1; };
    case DataType.UINT8: return (v, out, at) => { out[at] = v & 0xff; return 1; };
    case DataType.INT16: return (v, out, at) => { out[at] = (v << 16) >> 16; return 1; };
    case DataType.UINT16: return (v, out, at) => { out[at] = v & 0xffff; return 1; };
    case DataType.BOOL: return (v, out, at) => { out[at] = v === 0 ? 0 : 1; return 1; };
    default: return (v, out, at) => { out[at] = v; return 1; };
  }
}

function* typedChunks(tensor: TensorRef, ctx: TensorDataContext, info: DataTypeInfo, chunk: number): Generator<Float64Array> {
  const s = tensor.storage;
  if (s.kind !== 'typed') return;
  const total = tensor.elementCount;
  const r = new WireReader(ctx.model, 1 << 18);
  const entry = s.field === 'int32_data' ? int32Entry(info) : undefined;
  let out = new Float64Array(Math.min(chunk, total));
  let filled = 0;
  let done = 0;
  for (const seg of s.segments) {
    r.pos = seg.offset;
    const end = seg.offset + seg.length;
    while (r.pos < end && done + filled < total) {
      switch (s.field) {
        case 'float_data': out[filled++] = r.float32(end); break;
        case 'double_data': out[filled++] = r.double(end); break;
        case 'int64_data': out[filled++] = r.int64(end); break;
        case 'uint64_data': out[filled++] = r.uint64(end); break;
        case 'int32_data': filled += (entry as NonNullable<typeof entry>)(r.int32(end), out, filled, Math.min(out.length - filled, total - done - filled)); break;
        default: throw new TensorDecodeError(tensor.name, 'not-numeric', `tensor "${tensor.name}": ${s.field} does not hold numbers`);
      }
      if (filled === out.length) {
        yield out;
        done += filled;
        filled = 0;
        out = new Float64Array(Math.min(chunk, total - done));
      }
    }
  }
  if (filled > 0) {
    yield out.subarray(0, filled);
    done += filled;
  }
  if (done !== total) throw new TensorDecodeError(tensor.name, 'typed-data-count-mismatch', `tensor "${tensor.name}": ${s.field} holds ${done} values, dims expect ${total}`, s.segments[0]?.offset);
}

/**
 * Yields a tensor's values as float64, exactly, in chunks of at most `chunkElements` (memory
 * stays bounded whatever the tensor size). Throws `TensorDecodeError` for refused or
 * non-numeric tensors (string, complex: see `dataTypeInfo(...).skipReason`) and
 * `ExternalDataError` when external data is refused by the host.
 */
export function* tensorValueChunks(tensor: TensorRef, ctx: TensorDataContext, options?: TensorValueOptions): Generator<Float64Array> {
  const chunk = Math.max(8, Math.floor(options?.chunkElements ?? DEFAULT_CHUNK_ELEMENTS));
  if (tensor.refusal !== undefined) throw new TensorDecodeError(tensor.name, tensor.refusal.rule, tensor.refusal.message);
  const info = dataTypeInfo(tensor.dataType);
  if (info === undefined) throw new TensorDecodeError(tensor.name, 'unknown-data-type', `tensor "${tensor.name}": unknown data_type ${tensor.dataType}`);
  if (!info.numeric) throw new TensorDecodeError(tensor.name, 'not-numeric', `tensor "${tensor.name}": ${info.skipReason ?? 'not numeric'}`);
  const s = tensor.storage;
  const total = tensor.elementCount;
  if (total === 0) return;
  try {
    switch (s.kind) {
      case 'raw': yield* rawChunks({ source: ctx.model, offset: s.offset, length: s.length }, info, total, chunk, options?.reuseBuffer === true); return;
      case 'external': yield* rawChunks(externalRange(tensor, ctx, info), info, total, chunk, options?.reuseBuffer === true); return;
      case 'typed': yield* typedChunks(tensor, ctx, info, chunk); return;
      case 'inline-values':
        for (let i = 0; i < s.values.length; i += chunk) yield Float64Array.from(s.values.slice(i, i + chunk));
        return;
      case 'none': throw new TensorDecodeError(tensor.name, 'no-data', `tensor "${tensor.name}" has no data`);
    }
  } catch (e) {
    if (e instanceof TensorDecodeError && e.tensor === '') throw new TensorDecodeError(tensor.name, e.rule, `tensor "${tensor.name}": ${e.detail}`, e.offset);
    throw e;
  }
}
