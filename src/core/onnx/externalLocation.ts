import type { ExternalDataRule } from '../errors';

/**
 * The lexical half of the onnx >= 1.21 external-data containment rules (checker.cc
 * `resolve_external_data_location`), shared by every host: a location must be a non-empty
 * relative path of plain components. Hosts then apply the file-system half (realpath
 * containment, symlinks, hard links, regular file) in `src/node/externalDataHost.ts`.
 *
 * Deliberate differences from onnx: a component containing `..` inside a name (`w..bin`) is
 * allowed (onnx rejects the substring, which refuses legitimate files); backslashes are treated
 * as separators on every platform so a Windows traversal is refused on POSIX too; nothing is
 * URL-decoded (`..%2f..` is a literal, non-existent file name).
 */
export interface LocationProblem {
  readonly rule: ExternalDataRule;
  readonly message: string;
}

/** A location quoted for a message, elided past 200 characters (hostile locations can be megabytes). */
export function shownLocation(location: string): string {
  return JSON.stringify(location.length > 200 ? `${location.slice(0, 200)}…(${location.length} chars)` : location);
}

/** Returns the problem with an external-data location string, or undefined when it is acceptable. */
export function checkExternalLocation(location: string): LocationProblem | undefined {
  const shown = shownLocation(location);
  if (location.length === 0) return { rule: 'bad-location', message: 'external data location is empty (it would name the model folder itself)' };
  if (location.includes('\0')) return { rule: 'bad-location', message: `external data location ${shown} contains a NUL byte (invalid location)` };
  if (location.startsWith('#')) return { rule: 'bad-location', message: `external data location ${shown} is an in-memory tag, not a file (location not allowed)` };
  if (location.startsWith('/') || location.startsWith('\\')) return { rule: 'absolute-path', message: `external data location ${shown} is an absolute path (not allowed: locations are relative to the model folder)` };
  if (/^[A-Za-z]:/.test(location)) return { rule: 'absolute-path', message: `external data location ${shown} is an absolute Windows drive path (not allowed)` };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return { rule: 'absolute-path', message: `external data location ${shown} is a URL (not allowed: only relative file names inside the model folder)` };
  const parts = externalLocationComponents(location);
  if (location.split(/[\\/]/).some((p) => p === '..')) return { rule: 'path-traversal', message: `external data location ${shown} contains a ".." component (path traversal outside the model folder is not allowed)` };
  if (parts.length === 0) return { rule: 'not-a-regular-file', message: `external data location ${shown} names the model folder itself, a directory (not a regular file)` };
  // `w.bin/` names a directory on every OS (open fails with ENOTDIR); dropping the empty last part would read w.bin.
  if (/[\\/]$/.test(location)) return { rule: 'not-a-regular-file', message: `external data location ${shown} ends with a path separator: it names a directory, not a regular file` };
  return undefined;
}

/** The plain components of a location that passed `checkExternalLocation` (`.` and empty parts dropped). */
export function externalLocationComponents(location: string): string[] {
  return location.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
}
