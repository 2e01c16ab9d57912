import { LimitExceededError, OnnxFormatError } from '../errors';
import { WireType, wireTypeName, type WireReader } from '../protobuf/wireReader';
import type { ModelWarning } from './model';

/** Safety limits of the decoder; every one of them turns hostile input into an OnnxFormatError. */
export interface DecodeLimits {
  /** Nested protobuf messages (protobuf's own default recursion limit is 100). */
  readonly maxMessageDepth: number;
  /** Nested graphs (If / Loop / Scan bodies inside each other). */
  readonly maxGraphDepth: number;
  /** Bytes of one string field (names, doc strings). 1 MiB names occur in the hostile corpus. */
  readonly maxStringBytes: number;
  /** Entries of one attribute's floats / ints / strings list. */
  readonly maxListEntries: number;
  /** Model warnings kept (the rest are counted in one summary warning). */
  readonly maxWarnings: number;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxMessageDepth: 256,
  maxGraphDepth: 64,
  maxStringBytes: 16 << 20,
  maxListEntries: 1 << 24,
  maxWarnings: 1000,
};

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/** Shared state of one decode run: the reader, depth counters, limits and collected warnings. */
export class DecodeContext {
  depth = 0;
  graphDepth = 0;
  readonly warnings: ModelWarning[] = [];
  private suppressed = 0;

  constructor(
    readonly r: WireReader,
    readonly limits: DecodeLimits = DEFAULT_LIMITS,
  ) {}

  enter(what: string): void {
    if (++this.depth > this.limits.maxMessageDepth) {
      throw new LimitExceededError(`${what} is nested more than ${this.limits.maxMessageDepth} messages deep (safety limit)`, this.r.pos);
    }
  }

  leave(): void {
    this.depth--;
  }

  warn(code: string, message: string, offset?: number): void {
    if (this.warnings.length < this.limits.maxWarnings) this.warnings.push(offset === undefined ? { code, message } : { code, message, offset });
    else this.suppressed++;
  }

  /** Appends the "N more warnings" summary; call once at the end. */
  finishWarnings(): void {
    if (this.suppressed > 0) this.warnings.push({ code: 'warnings-suppressed', message: `${this.suppressed} more warnings not shown` });
  }

  /** Throws unless a known field arrived with the wire type the schema gives it. */
  expect(tag: number, wireType: number, message: string, fieldName: string): void {
    if ((tag & 7) !== wireType) {
      throw new OnnxFormatError(`${message}.${fieldName} (field ${tag >>> 3}) has wire type ${wireTypeName(tag & 7)}, expected ${wireTypeName(wireType)}`, this.r.pos);
    }
  }

  /** Reads a LEN string field, checked against the string-size limit, decoded as UTF-8. */
  string(tag: number, end: number, message: string, fieldName: string): string {
    this.expect(tag, WireType.LEN, message, fieldName);
    const at = this.r.pos;
    const strEnd = this.r.lengthEnd(end, `${message}.${fieldName}`);
    if (strEnd - this.r.pos > this.limits.maxStringBytes) {
      throw new LimitExceededError(`${message}.${fieldName} is ${strEnd - this.r.pos} bytes long (limit ${this.limits.maxStringBytes})`, at);
    }
    return this.utf8(this.r.bytes(strEnd), `${message}.${fieldName}`, at);
  }

  utf8(bytes: Uint8Array, what: string, offset: number): string {
    let ascii = bytes.length <= 256;
    for (let i = 0; ascii && i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    try {
      return fatalUtf8.decode(bytes);
    } catch {
      this.warn('invalid-utf8', `${what} is not valid UTF-8 (invalid bytes shown as U+FFFD)`, offset);
      return lenientUtf8.decode(bytes);
    }
  }

  /** Reads a LEN sub-message header and returns the payload end. */
  messageEnd(tag: number, end: number, message: string, fieldName: string): number {
    this.expect(tag, WireType.LEN, message, fieldName);
    return this.r.lengthEnd(end, `${message}.${fieldName}`);
  }

  /** Reads one or more int64 values of a repeated field (packed or not) into `out`. */
  int64s(tag: number, end: number, message: string, fieldName: string, out: number[]): void {
    if ((tag & 7) === WireType.VARINT) {
      out.push(this.r.int64(end));
      return;
    }
    const listEnd = this.messageEnd(tag, end, message, fieldName);
    while (this.r.pos < listEnd) {
      if (out.length >= this.limits.maxListEntries) throw new LimitExceededError(`${message}.${fieldName} has more than ${this.limits.maxListEntries} entries`, this.r.pos);
      out.push(this.r.int64(listEnd));
    }
  }

  /** Reads one or more float values of a repeated float field (packed or not) into `out`. */
  floats(tag: number, end: number, message: string, fieldName: string, out: number[]): void {
    if ((tag & 7) === WireType.I32) {
      out.push(this.r.float32(end));
      return;
    }
    const listEnd = this.messageEnd(tag, end, message, fieldName);
    if ((listEnd - this.r.pos) % 4 !== 0) throw new OnnxFormatError(`${message}.${fieldName}: packed float list length ${listEnd - this.r.pos} is not a multiple of 4`, this.r.pos);
    if (out.length + (listEnd - this.r.pos) / 4 > this.limits.maxListEntries) throw new LimitExceededError(`${message}.${fieldName} has more than ${this.limits.maxListEntries} entries`, this.r.pos);
    while (this.r.pos < listEnd) out.push(this.r.float32(listEnd));
  }

  /** Checks that a message ended exactly at its declared end. */
  finish(end: number, message: string): void {
    if (this.r.pos !== end) throw new OnnxFormatError(`${message} overruns its declared length`, this.r.pos);
  }
}
