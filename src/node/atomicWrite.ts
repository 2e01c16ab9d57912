import { closeSync, fsyncSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import type { ByteSink } from '../core/protobuf/wireWriter';

/** The target is one of the files the export reads (the model or its external data). */
export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError';
}

export interface AtomicWriteOptions {
  /** Files that must never be replaced (compared by real path and by inode, so hard links count). */
  readonly protect?: readonly string[];
}

/** True when `a` and `b` name the same file (same path after symlinks, or the same inode). */
export function sameFile(a: string, b: string): boolean {
  const ra = realOrResolved(a), rb = realOrResolved(b);
  if (ra === rb) return true;
  try {
    const sa = statSync(a), sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // Not there yet: resolve its folder (which must exist) and keep the name.
    try {
      return resolve(realpathSync(dirname(resolve(p))), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

/**
 * Writes a new file atomically: the bytes go to a fresh temp file in the target's folder (created
 * exclusively, so nothing else is followed or clobbered), are fsync'ed, and the temp file is
 * renamed over the target (then the folder is fsync'ed). A reader sees the old file or the whole
 * new one, never a partial write; on any error the temp file is removed and the target is
 * untouched. Refuses targets listed in `options.protect`.
 */
export function atomicWrite(target: string, write: (sink: ByteSink) => void, options: AtomicWriteOptions = {}): number {
  const abs = resolve(target);
  for (const p of options.protect ?? []) {
    if (sameFile(abs, p)) throw new RefusedTargetError(`refusing to write ${abs}: it is the input file ${p} (exports always go to a new file)`);
  }
  const folder = dirname(abs);
  const temp = resolve(folder, `${tempPrefix(abs, process.pid)}${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const fd = openSync(temp, 'wx', 0o644);
  let bytes = 0;
  let closed = false;
  try {
    write((chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      bytes += chunk.length;
    });
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(temp, abs);
  } catch (e) {
    if (!closed) closeSync(fd);
    try { unlinkSync(temp); } catch { /* already renamed or never created */ }
    throw e;
  }
  syncFolder(folder);
  return bytes;
}

const TEMP_SUFFIX = '.tmp';

function tempPrefix(target: string, pid: number): string {
  return `.${basename(target)}.${pid}.`;
}

/**
 * Removes the temp files an atomicWrite to `target` by process `pid` left behind because the
 * writer was killed mid-write (a cancelled export); returns how many were removed.
 */
export function removeAbandonedTemps(target: string, pid: number): number {
  const abs = resolve(target);
  const prefix = tempPrefix(abs, pid);
  let removed = 0;
  let names: string[];
  try { names = readdirSync(dirname(abs)); } catch { return 0; }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith(TEMP_SUFFIX) || !/^[0-9a-f]{12}$/.test(n.slice(prefix.length, -TEMP_SUFFIX.length))) continue;
    try { unlinkSync(resolve(dirname(abs), n)); removed++; } catch { /* gone already */ }
  }
  return removed;
}

function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
