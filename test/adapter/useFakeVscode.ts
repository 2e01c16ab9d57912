// Makes `require('vscode')` (what tsx compiles `import * as vscode from 'vscode'` to) load the
// fake. Import this first in an adapter test, before any src/vscode module.
import Module from 'node:module';
import { join } from 'node:path';

const FAKE = join(__dirname, 'fakeVscode.ts');
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? FAKE : original.call(this, request, ...rest);
};
