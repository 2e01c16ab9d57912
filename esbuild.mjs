// One build() helper, several entries (the vscode-hexeditor pattern): the extension host bundle,
// the analysis worker, the CLI, and the webview (browser IIFE, its own bundle).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs',
    banner: { js: '#!/usr/bin/env node' }, external: ['onnxruntime-node'] },
  { entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs',
    external: ['vscode', 'onnxruntime-node'] },
  { entryPoints: ['src/vscode/analysisWorker.ts'], outfile: 'dist/analysisWorker.js', platform: 'node', format: 'cjs',
    external: ['onnxruntime-node'] },
  { entryPoints: ['src/cli/probeWorker.ts'], outfile: 'dist/probeWorker.js', platform: 'node', format: 'cjs',
    external: ['onnxruntime-node'] },
  // Worker threads of src/node/parallelStats.ts (CLI and VS Code worker find it next to their bundle).
  { entryPoints: ['src/node/parallelStatsWorker.ts'], outfile: 'dist/parallelStatsWorker.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife',
    loader: { '.ttf': 'file', '.css': 'css' } },
].filter((e) => e.entryPoints.every((p) => existsSync(p)));

async function build(options) {
  const ctx = await esbuild.context({ ...common, ...options });
  if (watch) {
    await ctx.watch();
  } else {
    await ctx.rebuild();
    await ctx.dispose();
  }
}

await Promise.all(entries.map(build));
