// Builds the real webview bundle (the webview entry of esbuild.mjs, same options) once per test
// process, without the other entries so a half-finished host file elsewhere cannot block it.
// It goes to a private folder under test-artifacts/ so a concurrent `npm run build` (which
// rewrites dist/webview) cannot swap the files under a running test or benchmark.
import * as esbuild from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');

const built = new Map<boolean, Promise<string>>();
const inputs = new Map<string, string[]>();

/** Builds (once per mode) and returns the output folder (main.js, main.css, codicon-*.ttf). */
export function buildWebview(production = false): Promise<string> {
  let p = built.get(production);
  if (!p) {
    const outdir = join(REPO, 'test-artifacts', 'webview-dist', `${production ? 'production' : 'development'}-${process.pid}`);
    p = esbuild.build({
      absWorkingDir: REPO,
      entryPoints: ['webview/main.ts'],
      outfile: join(outdir, 'main.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: production ? false : 'linked',
      minify: production,
      logLevel: 'warning',
      loader: { '.ttf': 'file', '.css': 'css' },
      metafile: true,
    }).then((r) => {
      inputs.set(outdir, Object.keys(r.metafile?.inputs ?? {}));
      return outdir;
    });
    built.set(production, p);
  }
  return p;
}

export function bundleSizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of ['main.js', 'main.css']) out[f] = statSync(join(dir, f)).size;
  return out;
}

/** The source files esbuild put into the bundle built in `dir` (repo-relative paths). */
export function bundleInputs(dir: string): string[] {
  return inputs.get(dir) ?? [];
}
