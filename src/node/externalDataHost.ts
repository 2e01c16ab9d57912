import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { ExternalDataError } from '../core/errors';
import type { ExternalDataHost, ExternalFile } from '../core/host';
import { checkExternalLocation, externalLocationComponents, shownLocation } from '../core/onnx/externalLocation';
import { fileSourceFromFd, type FileSource } from './fileSource';

/** An ExternalDataHost over the local file system that owns the files it opened. */
export interface NodeExternalDataHost extends ExternalDataHost {
  /** Non-fatal notes (e.g. a location that names the model file itself). */
  readonly warnings: readonly string[];
  /** Absolute paths this host opened (tests assert nothing outside the model folder). */
  readonly openedPaths: readonly string[];
  close(): void;
}

function isInside(path: string, base: string): boolean {
  return path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/**
 * Resolves external-data locations relative to the model's folder with the onnx >= 1.21 rules
 * (docs/ExternalDataSecurity.md): lexical checks (`checkExternalLocation`: empty, absolute,
 * URL, `..`, NUL, `#` tags), then realpath containment of the parent folder (a symlinked parent
 * may point elsewhere inside the folder, never outside), no symlink as the final component, a
 * regular file with exactly one hard link, opened with O_NOFOLLOW and verified again with fstat
 * on the open descriptor (same inode as checked) so a swap between check and open is caught.
 */
export function createExternalDataHost(modelPath: string): NodeExternalDataHost {
  const modelDir = dirname(resolve(modelPath));
  const open = new Map<string, ExternalFile & { source: FileSource }>();
  const warnings: string[] = [];
  const openedPaths: string[] = [];
  let baseReal: string | undefined;
  let modelReal: string | undefined;

  const fail = (location: string, rule: ConstructorParameters<typeof ExternalDataError>[1], why: string): never => {
    throw new ExternalDataError(location, rule, `external data location ${shownLocation(location)}: ${why}`);
  };

  function openChecked(location: string): ExternalFile & { source: FileSource } {
    const problem = checkExternalLocation(location);
    if (problem !== undefined) throw new ExternalDataError(location, problem.rule, problem.message);
    baseReal ??= realpathSync(modelDir);
    const parts = externalLocationComponents(location);
    const candidate = join(modelDir, ...parts);
    let parentReal: string;
    try {
      parentReal = realpathSync(dirname(candidate));
    } catch (e) {
      return fail(location, 'missing-file', `its folder does not exist (not found: ${errnoOf(e) ?? 'error'})`);
    }
    if (!isInside(parentReal, baseReal)) return fail(location, 'outside-model-folder', 'a parent folder is a symlink that leads outside the model folder (not allowed)');
    const finalPath = join(parentReal, parts[parts.length - 1] as string);
    let st: Stats;
    try {
      st = lstatSync(finalPath);
    } catch (e) {
      return fail(location, 'missing-file', `file not found (${errnoOf(e) ?? 'error'}: no such file in the model folder)`);
    }
    if (st.isSymbolicLink()) return fail(location, 'symlink', 'the file is a symbolic link (symlinks are not allowed: they can lead outside the model folder)');
    if (st.isDirectory()) return fail(location, 'not-a-regular-file', 'it names a directory, not a regular file');
    if (!st.isFile()) return fail(location, 'not-a-regular-file', 'it is not a regular file (device, FIFO or socket)');
    if (st.nlink > 1) return fail(location, 'hard-link', `the file has ${st.nlink} hard links (link count > 1: it may be a hard link to a file outside the model folder)`);
    const key = finalPath;
    const cached = open.get(key);
    if (cached !== undefined) return { location, source: cached.source, identity: cached.identity };
    let fd: number;
    try {
      fd = openSync(finalPath, constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ELOOP') return fail(location, 'symlink', 'the file became a symbolic link (refused)');
      if (code === 'ENOENT') return fail(location, 'missing-file', 'file not found (ENOENT)');
      return fail(location, 'io-error', `cannot open the file (${code ?? 'error'})`);
    }
    openedPaths.push(finalPath);
    try {
      const fst = fstatSync(fd);
      if (!fst.isFile() || fst.nlink !== 1 || fst.ino !== st.ino || fst.dev !== st.dev) {
        fail(location, 'io-error', 'the file changed between the check and the open (refused)');
      }
      modelReal ??= realpathSync(resolve(modelPath));
      if (finalPath === modelReal) warnings.push(`external data location ${shownLocation(location)} is the model file itself`);
      const entry = { location, source: fileSourceFromFd(fd, fst.size), identity: `${fst.dev}:${fst.ino}` };
      open.set(key, entry);
      return entry;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  return {
    warnings,
    openedPaths,
    open(location: string): ExternalFile {
      return openChecked(location);
    },
    close(): void {
      for (const f of open.values()) f.source.close();
      open.clear();
    },
  };
}
