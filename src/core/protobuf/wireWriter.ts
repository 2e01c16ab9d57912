/**
 * A small protobuf wire-format writer built for streaming multi-GB messages.
 *
 * Why hand-written instead of protobufjs: protobufjs encodes a whole message into one contiguous
 * buffer, so a 4 GB model would need 4 GB of memory (and its lengths wrap at 2^31). Here a message
 * is a tree of already-encoded small parts, nested messages and *lazy* payloads (a byte length
 * plus a chunk generator). Sizes are computed first (a LEN field's length prefix must precede its
 * payload), then `emit` walks the tree and hands chunks to a sink; lazy payloads are generated
 * only then, one chunk at a time, so memory stays bounded by the tree, not the payload.
 */

/** Bytes provided on demand: `chunks()` must yield exactly `byteLength` bytes in total. */
export interface LazyBytes {
  readonly byteLength: number;
  chunks(): Iterable<Uint8Array>;
}

/** Receives output chunks in order. A chunk is never reused by the writer after the call. */
export type ByteSink = (chunk: Uint8Array) => void;

type Part =
  | { readonly kind: 'bytes'; readonly data: Uint8Array }
  | { readonly kind: 'message'; readonly field: number; readonly message: MessageWriter }
  | { readonly kind: 'lazy'; readonly field: number; readonly payload: LazyBytes };

const WT_VARINT = 0;
const WT_I64 = 1;
const WT_LEN = 2;
const WT_I32 = 5;
/** Scalars are buffered per message and split into parts of at most this size. */
const SCRATCH = 256;
/** Parts at least this large are passed to the sink as they are instead of being copied. */
const DIRECT = 16384;
const EMIT_CHUNK = 1 << 16;

const encoder = new TextEncoder();

/** Number of bytes the varint encoding of a non-negative safe integer takes. */
export function varintSize(value: number): number {
  if (value < 0) return 10;
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function assertField(field: number): void {
  if (!Number.isInteger(field) || field < 1 || field > 536870911) throw new RangeError(`invalid protobuf field number ${field}`);
}

/**
 * One protobuf message under construction. Fields are appended in call order (the order they will
 * appear on the wire). Once `byteLength` has been read the message must not be changed.
 */
export class MessageWriter {
  private readonly parts: Part[] = [];
  private scratch = new Uint8Array(SCRATCH);
  private view = new DataView(this.scratch.buffer);
  private used = 0;
  private size = -1;

  private room(n: number): void {
    if (this.size >= 0) throw new Error('MessageWriter changed after its size was taken');
    if (this.used + n <= this.scratch.length) return;
    this.flushScratch();
    if (n > this.scratch.length) {
      this.scratch = new Uint8Array(n);
      this.view = new DataView(this.scratch.buffer);
    }
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.parts.push({ kind: 'bytes', data: this.scratch.slice(0, this.used) });
    this.used = 0;
  }

  private rawVarint(value: number): void {
    const buf = this.scratch;
    let pos = this.used;
    if (value >= 0 && value < 0x80000000 && Number.isInteger(value)) {
      while (value >= 0x80) {
        buf[pos++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      buf[pos++] = value;
      this.used = pos;
      return;
    }
    this.rawVarint64(value);
  }

  /** Any integer that fits int64/uint64, two's complement for negatives (as protobuf int64/int32 do). */
  private rawVarint64(value: number | bigint): void {
    let big: bigint;
    if (typeof value === 'bigint') big = BigInt.asUintN(64, value);
    else {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint value ${value} is not a safe integer`);
      big = BigInt.asUintN(64, BigInt(value));
    }
    let lo = Number(big & 0xffffffffn);
    let hi = Number(big >> 32n);
    const buf = this.scratch;
    let pos = this.used;
    while (hi > 0 || lo >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.used = pos;
  }

  private tag(field: number, wireType: number): void {
    assertField(field);
    this.rawVarint(field * 8 + wireType);
  }

  /** int32/int64/uint64/enum/bool field. Negative numbers take 10 bytes, as protobuf requires. */
  varint(field: number, value: number | bigint | boolean): this {
    this.room(20);
    this.tag(field, WT_VARINT);
    if (typeof value === 'boolean') this.rawVarint(value ? 1 : 0);
    else if (typeof value === 'bigint') this.rawVarint64(value);
    else this.rawVarint(value);
    return this;
  }

  /** `float` field (IEEE single). */
  float(field: number, value: number): this {
    this.room(15);
    this.tag(field, WT_I32);
    this.view.setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  /** `fixed32` field from raw bits (lets tests write exact NaN payloads). */
  fixed32(field: number, bits: number): this {
    this.room(15);
    this.tag(field, WT_I32);
    this.view.setUint32(this.used, bits >>> 0, true);
    this.used += 4;
    return this;
  }

  /** `double` field. */
  double(field: number, value: number): this {
    this.room(15);
    this.tag(field, WT_I64);
    this.view.setFloat64(this.used, value, true);
    this.used += 8;
    return this;
  }

  /** `fixed64` field from a uint64. */
  fixed64(field: number, value: bigint): this {
    this.room(15);
    this.tag(field, WT_I64);
    this.view.setBigUint64(this.used, BigInt.asUintN(64, value), true);
    this.used += 8;
    return this;
  }

  /** `bytes` field. Large payloads are referenced, not copied: do not modify them before `emit`. */
  bytes(field: number, data: Uint8Array): this {
    this.room(20);
    this.tag(field, WT_LEN);
    this.rawVarint(data.length);
    if (data.length <= 64) {
      this.room(data.length);
      this.scratch.set(data, this.used);
      this.used += data.length;
    } else {
      this.flushScratch();
      this.parts.push({ kind: 'bytes', data });
    }
    return this;
  }

  /** `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** Embedded message field. */
  message(field: number, message: MessageWriter): this {
    if (this.size >= 0) throw new Error('MessageWriter changed after its size was taken');
    assertField(field);
    this.flushScratch();
    this.parts.push({ kind: 'message', field, message });
    return this;
  }

  /** `bytes` field whose payload is generated during `emit`. */
  lazyBytes(field: number, payload: LazyBytes): this {
    if (this.size >= 0) throw new Error('MessageWriter changed after its size was taken');
    assertField(field);
    if (!Number.isSafeInteger(payload.byteLength) || payload.byteLength < 0) throw new RangeError(`invalid lazy payload length ${payload.byteLength}`);
    this.flushScratch();
    this.parts.push({ kind: 'lazy', field, payload });
    return this;
  }

  /**
   * A field whose payload is already wire-encoded (bytes copied from another file): for LEN the
   * length prefix is added, for VARINT/I64/I32 the payload must be exactly one encoded value.
   */
  encodedField(field: number, wireType: 0 | 1 | 2 | 5, payload: Uint8Array): this {
    if (wireType === WT_LEN) return this.bytes(field, payload);
    const want = wireType === WT_I64 ? 8 : wireType === WT_I32 ? 4 : -1;
    if (want >= 0 ? payload.length !== want : payload.length < 1 || payload.length > 10 || (payload[payload.length - 1]! & 0x80) !== 0) {
      throw new RangeError(`encodedField: ${payload.length} bytes are not one value of wire type ${wireType}`);
    }
    this.room(5 + payload.length);
    this.tag(field, wireType);
    this.scratch.set(payload, this.used);
    this.used += payload.length;
    return this;
  }

  /** Packed repeated varints (int32/int64/uint64 lists). */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new MessageWriter();
    for (let i = 0; i < values.length; i++) {
      inner.room(10);
      const v = values[i] as number | bigint;
      if (typeof v === 'bigint') inner.rawVarint64(v);
      else inner.rawVarint(v);
    }
    return this.packed(field, inner);
  }

  /** Packed repeated `float`. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
    return this.bytes(field, data);
  }

  /** Packed repeated `double`. */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 8);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
    return this.bytes(field, data);
  }

  private packed(field: number, inner: MessageWriter): this {
    if (inner.parts.length === 0) return this.bytes(field, inner.scratch.subarray(0, inner.used));
    return this.message(field, inner);
  }

  /** Encoded size of this message's payload (without its own tag/length). Freezes the message. */
  get byteLength(): number {
    if (this.size >= 0) return this.size;
    this.flushScratch();
    let total = 0;
    for (const p of this.parts) {
      if (p.kind === 'bytes') total += p.data.length;
      else {
        const len = p.kind === 'message' ? p.message.byteLength : p.payload.byteLength;
        total += varintSize(p.field * 8 + WT_LEN) + varintSize(len) + len;
      }
    }
    this.size = total;
    return total;
  }

  /** Streams the message payload to `sink` in chunks of about 64 KiB; returns bytes written. */
  emit(sink: ByteSink): number {
    const out = new ChunkedOutput(sink);
    this.emitInto(out);
    out.flush();
    return out.total;
  }

  /** Encodes into one buffer (small messages). */
  encode(): Uint8Array {
    const result = new Uint8Array(this.byteLength);
    let pos = 0;
    this.emit((chunk) => {
      result.set(chunk, pos);
      pos += chunk.length;
    });
    return result;
  }

  private emitInto(out: ChunkedOutput): void {
    void this.byteLength; // freezes and sizes nested parts before any byte is written
    for (const p of this.parts) {
      if (p.kind === 'bytes') {
        out.write(p.data);
        continue;
      }
      const len = p.kind === 'message' ? p.message.byteLength : p.payload.byteLength;
      out.header(p.field * 8 + WT_LEN, len);
      if (p.kind === 'message') {
        p.message.emitInto(out);
        continue;
      }
      let produced = 0;
      for (const chunk of p.payload.chunks()) {
        produced += chunk.length;
        if (produced > len) break;
        out.write(chunk);
      }
      if (produced !== len) throw new Error(`lazy payload of field ${p.field} produced ${produced} bytes, declared ${len}`);
    }
  }
}

/** Coalesces small writes into ~64 KiB chunks; large writes go straight through. */
class ChunkedOutput {
  total = 0;
  private buf = new Uint8Array(EMIT_CHUNK);
  private used = 0;

  constructor(private readonly sink: ByteSink) {}

  header(tag: number, len: number): void {
    if (this.used + 20 > this.buf.length) this.flush();
    this.varint(tag);
    this.varint(len);
  }

  private varint(value: number): void {
    const buf = this.buf;
    while (value >= 0x80) {
      buf[this.used++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    buf[this.used++] = value;
  }

  write(data: Uint8Array): void {
    if (data.length >= DIRECT) {
      this.flush();
      this.sink(data);
      this.total += data.length;
      return;
    }
    if (this.used + data.length > this.buf.length) this.flush();
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.total += this.used;
    this.buf = new Uint8Array(EMIT_CHUNK);
    this.used = 0;
    this.sink(chunk);
  }
}

/** Convenience for lazy payloads from in-memory arrays. */
export function lazyOf(data: Uint8Array): LazyBytes {
  return { byteLength: data.length, chunks: () => [data] };
}
