// Builds the real webview bundle (the webview entry of esbuild.mjs, same options) once per test
// process, without the other entries so a half-finished host file elsewhere cannot block it.
import * as esbuild from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');
export const WEBVIEW_DIST = join(REPO, 'dist', 'webview');

let built: Promise<void> | null = null;

export function buildWebview(production = false): Promise<void> {
  built ??= esbuild.build({
    absWorkingDir: REPO,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    loader: { '.ttf': 'file', '.css': 'css' },
  }).then(() => undefined);
  return built;
}

export function bundleSizes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of ['main.js', 'main.css']) out[f] = statSync(join(WEBVIEW_DIST, f)).size;
  return out;
}
