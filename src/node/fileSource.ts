import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../core/host';

/** A ByteSource that can be closed (it owns a file descriptor). */
export interface FileSource extends ByteSource {
  close(): void;
}

/**
 * A ByteSource over an open file descriptor with `fs.readSync` into one reusable buffer, so
 * reading a multi-GB model never holds more than the largest single read in memory. The
 * returned views are only valid until the next `read`.
 */
export function fileSourceFromFd(fd: number, size: number, ownsFd = true): FileSource {
  let buf = Buffer.allocUnsafe(1 << 16);
  let closed = false;
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      if (closed) throw new Error('read from a closed file source');
      const start = Math.max(0, Math.min(offset, size));
      const n = Math.max(0, Math.min(length, size - start));
      if (n > buf.length) buf = Buffer.allocUnsafe(Math.max(n, buf.length * 2));
      let done = 0;
      while (done < n) {
        const got = readSync(fd, buf, done, n - done, start + done);
        if (got === 0) break;
        done += got;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, done);
    },
    close(): void {
      if (!closed && ownsFd) closeSync(fd);
      closed = true;
    },
  };
}

/** Opens a regular file read-only as a ByteSource. */
export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    return fileSourceFromFd(fd, st.size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
