import { ExternalDataError } from "./errors";

/**
 * Interfaces the adapters (CLI, VS Code worker, tests) implement for the pure core. The core never
 * touches a file system: it reads bytes by offset through these, so a 2 GB model is never held in
 * memory at once and the containment rules for external data live in one place per host.
 */

/** Synchronous random access to one file's bytes. Reads past the end return fewer bytes. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Returns `length` bytes starting at `offset` (fewer only at end of file). The returned array may
   * be a view into a buffer the source reuses: copy it if you keep it across calls.
   */
  read(offset: number, length: number): Uint8Array;
}

/** What an external-data location resolved to, after the host applied its containment rules. */
export interface ExternalFile {
  /** The location string as written in the model (untrusted, for messages only). */
  readonly location: string;
  readonly source: ByteSource;
  /**
   * Optional: the same string for every location that resolved to the same file (e.g. through a
   * symlinked folder), so the external-data audit sees one file, not two. Opaque to the core.
   */
  readonly identity?: string;
}

/**
 * Resolves `external_data.location` values relative to the model's folder. Implementations must
 * refuse (throw `ExternalDataError` with the rule that failed) absolute paths, `..` escapes,
 * symlinks or hard links leading outside, directories, missing files and non-regular files, and
 * must never open anything outside the model's folder.
 */
export interface ExternalDataHost {
  open(location: string): ExternalFile;
}

/** Structurally satisfied by `vscode.CancellationToken`. */
export interface CancellationSignal {
  readonly isCancellationRequested: boolean;
}

/** Receives coarse progress, e.g. bytes of tensor data processed of the total. */
export interface ProgressSink {
  report(done: number, total: number): void;
}

/** A ByteSource over bytes already in memory (tests, small models, the webview never). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, bytes.length));
      const end = Math.max(start, Math.min(offset + length, bytes.length));
      return bytes.subarray(start, end);
    },
  };
}

/** An ExternalDataHost that refuses everything: for models read from bytes with no folder. */
export const NO_EXTERNAL_DATA: ExternalDataHost = {
  open(location: string): ExternalFile {
    throw new ExternalDataError(location, "missing-file", `external data is not available for a model read from bytes (location "${location}")`);
  },
};

