import type { ByteSource } from '../host';
import { OnnxFormatError } from '../errors';

/**
 * A small, lazy protobuf wire-format reader over a `ByteSource`.
 *
 * Why hand-written instead of protobufjs: protobufjs decodes a whole message tree into memory
 * (every `bytes` field becomes a copied Uint8Array) from one contiguous buffer, so a 2 GB model
 * would need the whole file, and then a copy of every raw_data payload, in memory at once. Like
 * Netron's `protobuf.js` BinaryReader, this reader keeps only a bounded window of the file,
 * reports the *offset and length* of large `bytes` fields instead of copying them, and checks
 * every length against the end of the enclosing message, so hostile lengths (2^40, exactly 2^32,
 * a 3 GiB raw_data inside a 200-byte tensor) are errors rather than wrapped integers or huge
 * allocations. `test/corpus/differential.test.ts` checks it against protobufjs on the corpus.
 */

/** Protobuf wire types. 3 and 4 (groups) are deprecated and never valid in ONNX. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', '6', '7'];
const TWO_32 = 4294967296;
const DEFAULT_WINDOW = 1 << 20;
const REFILL_BYTES = 1 << 16;

export function wireTypeName(wireType: number): string {
  return WIRE_NAMES[wireType & 7] ?? String(wireType);
}

export class WireReader {
  /** Absolute offset of the next byte to read. */
  pos = 0;
  /** Low / high 32 bits of the last varint read by `varintParts`. */
  lo = 0;
  hi = 0;
  private buf: Uint8Array;
  /** Absolute file offset of `buf[0]`, and how many bytes of `buf` are valid. */
  private bufStart = 0;
  private bufLen = 0;
  private readonly view: DataView;

  constructor(
    readonly source: ByteSource,
    windowSize: number = DEFAULT_WINDOW,
  ) {
    this.buf = new Uint8Array(Math.max(64, windowSize));
    this.view = new DataView(this.buf.buffer);
  }

  get size(): number {
    return this.source.size;
  }

  /** Makes bytes [pos, pos+n) available in the window (n ≤ window size); false at end of file. */
  private fill(n: number): boolean {
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.bufLen) return true;
    if (this.pos + n > this.source.size) return false;
    // Read a modest amount after a jump (skipped raw_data): most refills only need the next
    // few fields, and copying a whole window per skipped tensor would dominate parse time.
    const want = Math.min(this.buf.length, this.source.size - this.pos, Math.max(n, REFILL_BYTES));
    const got = this.source.read(this.pos, want);
    this.buf.set(got.subarray(0, want));
    this.bufStart = this.pos;
    this.bufLen = Math.min(got.length, want);
    return n <= this.bufLen;
  }

  private truncated(what: string): never {
    throw new OnnxFormatError(`truncated input: ${what} runs past the end of the file`, this.pos);
  }

  /** Reads a varint into `lo`/`hi`. Rejects varints longer than 10 bytes. */
  varintParts(end: number): void {
    const start = this.pos;
    const avail = Math.min(end, this.source.size) - start;
    const limit = Math.min(10, avail);
    if (limit > 0) this.fill(limit);
    const buf = this.buf;
    const rel = start - this.bufStart;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < limit; i++) {
      const b = buf[rel + i] as number;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) {
        this.pos = start + i + 1;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    if (limit === 10) throw new OnnxFormatError('malformed varint (longer than 10 bytes)', start);
    if (end >= this.source.size) this.truncated('varint');
    throw new OnnxFormatError('varint runs past the end of its enclosing message', start);
  }

  /** Unsigned varint as a number (exact below 2^53). */
  uint64(end: number): number {
    this.varintParts(end);
    return this.hi * TWO_32 + this.lo;
  }

  /** Signed int64 varint as a number (exact below 2^53 in magnitude, correctly rounded beyond). */
  int64(end: number): number {
    this.varintParts(end);
    return (this.hi | 0) * TWO_32 + this.lo;
  }

  /** Signed int64 varint as an exact bigint. */
  int64Big(end: number): bigint {
    this.varintParts(end);
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  /** int32 / enum fields: protobuf sign-extends them to 64 bits, we take the low 32 bits. */
  int32(end: number): number {
    this.varintParts(end);
    return this.lo | 0;
  }

  bool(end: number): boolean {
    this.varintParts(end);
    return (this.lo | this.hi) !== 0;
  }

  private need(n: number, end: number, what: string): void {
    if (this.pos + n > end) {
      if (end >= this.source.size && this.pos + n > this.source.size) this.truncated(what);
      throw new OnnxFormatError(`${what} runs past the end of its enclosing message`, this.pos);
    }
    if (!this.fill(n)) this.truncated(what);
  }

  float32(end: number): number {
    this.need(4, end, 'fixed32');
    const v = this.view.getFloat32(this.pos - this.bufStart, true);
    this.pos += 4;
    return v;
  }

  double(end: number): number {
    this.need(8, end, 'fixed64');
    const v = this.view.getFloat64(this.pos - this.bufStart, true);
    this.pos += 8;
    return v;
  }

  /** Reads a field key; returns field number and wire type packed as `field * 8 + wireType`. */
  tag(end: number): number {
    const at = this.pos;
    this.varintParts(end);
    if (this.hi !== 0 || this.lo >>> 3 === 0) throw new OnnxFormatError(`invalid field key ${this.hi * TWO_32 + this.lo}`, at);
    return this.lo;
  }

  /** Reads a LEN prefix and checks it against the enclosing message end; returns the payload end. */
  lengthEnd(end: number, what: string): number {
    const at = this.pos;
    this.varintParts(end);
    const len = this.hi * TWO_32 + this.lo;
    if (len > end - this.pos) {
      const whereEnd = end >= this.source.size ? 'the end of the file' : 'the end of its enclosing message';
      throw new OnnxFormatError(`${what} length ${len} exceeds the ${end - this.pos} bytes that remain before ${whereEnd} (truncated or corrupt)`, at);
    }
    return this.pos + len;
  }

  /** Copies bytes [pos, end) (callers bound `end - pos` by a limit first). */
  bytes(end: number): Uint8Array {
    const n = end - this.pos;
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const chunk = Math.min(this.buf.length, n - done);
      if (!this.fill(chunk)) this.truncated('bytes');
      const rel = this.pos - this.bufStart;
      out.set(this.buf.subarray(rel, rel + chunk), done);
      done += chunk;
      this.pos += chunk;
    }
    return out;
  }

  /**
   * Iterates over bytes [pos, end) in window-sized views without copying them out; used to scan
   * packed varints (counting and checking) without materialising the field.
   */
  scan(end: number, visit: (bytes: Uint8Array) => void): void {
    while (this.pos < end) {
      const chunk = Math.min(this.buf.length, end - this.pos);
      if (!this.fill(chunk)) this.truncated('bytes');
      const rel = this.pos - this.bufStart;
      visit(this.buf.subarray(rel, rel + chunk));
      this.pos += chunk;
    }
  }

  /** Skips a field's payload of the given wire type. Groups are errors. */
  skip(wireType: number, end: number, field: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varintParts(end);
        return;
      case WireType.I64:
        this.seek(8, end, 'fixed64');
        return;
      case WireType.LEN:
        this.pos = this.lengthEnd(end, `field ${field}`);
        return;
      case WireType.I32:
        this.seek(4, end, 'fixed32');
        return;
      default:
        throw new OnnxFormatError(`unsupported wire type ${wireTypeName(wireType)} (${wireType}) for field ${field}: groups and reserved wire types are not valid in ONNX`, this.pos);
    }
  }

  private seek(n: number, end: number, what: string): void {
    if (this.pos + n > end) {
      if (end >= this.source.size) this.truncated(what);
      throw new OnnxFormatError(`${what} runs past the end of its enclosing message`, this.pos);
    }
    this.pos += n;
  }
}
