/**
 * Typed errors of the core. The core throws only for "this is not a usable model"; per-tensor
 * trouble becomes a refusal on that tensor and the analysis goes on.
 */

/** The bytes are not a well-formed ONNX ModelProto (or exceed a safety limit while decoding). */
export class OnnxFormatError extends Error {
  override readonly name: string = 'OnnxFormatError';
  /** Byte offset in the model file where the problem was found, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number, options?: { cause?: unknown }) {
    super(offset === undefined ? message : `${message} (at byte offset ${offset})`, options);
    this.offset = offset;
  }
}

/**
 * A safety limit (nesting depth, name length, element count) was exceeded. Still an
 * OnnxFormatError (`instanceof` holds: the file is refused the same way), with a name of its own.
 */
export class LimitExceededError extends OnnxFormatError {
  override readonly name: string = 'LimitExceededError';
}

/** One tensor cannot be decoded: bad dims, size mismatch, unknown data type, ... */
export class TensorDecodeError extends Error {
  override readonly name = 'TensorDecodeError';
  /**
   * Byte offset where the problem was found, when the decoder knows it: in the model file, or in
   * the external data file the message names.
   */
  readonly offset: number | undefined;
  /** The message without the `(at byte offset N)` suffix. */
  readonly detail: string;
  constructor(
    readonly tensor: string,
    readonly rule: string,
    message: string,
    offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte offset ${offset})`);
    this.offset = offset;
    this.detail = message;
  }
}

/** An external-data reference was refused by the containment rules or could not be read. */
export class ExternalDataError extends Error {
  override readonly name = 'ExternalDataError';
  constructor(
    readonly location: string,
    readonly rule: ExternalDataRule,
    message: string,
  ) {
    super(message);
  }
}

/** Which containment / bounds rule refused an external-data reference. */
export type ExternalDataRule =
  | 'absolute-path'
  | 'path-traversal'
  | 'outside-model-folder'
  | 'symlink'
  | 'hard-link'
  | 'not-a-regular-file'
  | 'missing-file'
  | 'bad-location'
  | 'bad-offset'
  | 'bad-length'
  | 'out-of-bounds'
  | 'length-mismatch'
  | 'unknown-key'
  | 'io-error';

/** The analysis was cancelled through a CancellationSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('analysis cancelled');
  }
}
