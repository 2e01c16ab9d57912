import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Runs `fn` while fs.openSync (what src/node/externalDataHost.ts and fileSource.ts open files
 * with) records every path it is asked to open: `opened()` lists them, `reset()` starts over.
 * For tests that must show no file outside a model's folder is ever opened.
 */
export function withOpenSpy<T>(fn: (opened: () => string[], reset: () => void) => T): T {
  let opened: string[] = [];
  const original = fs.openSync;
  (fs as { openSync: typeof fs.openSync }).openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    opened.push(String(p));
    return (original as (...a: unknown[]) => number)(p, ...rest);
  }) as typeof fs.openSync;
  syncBuiltinESMExports();
  try {
    return fn(() => opened, () => { opened = []; });
  } finally {
    (fs as { openSync: typeof fs.openSync }).openSync = original;
    syncBuiltinESMExports();
  }
}
