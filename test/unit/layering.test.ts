// Belt and braces for the eslint layer rules: src/core stays pure (no vscode, no Node built-ins,
// no imports out of core), and the webview never imports the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { builtinModules } from 'node:module';
import { REPO_ROOT } from '../support/corpus';

function files(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|mts|js)$/.test(n) && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** A type-only import (`import type … from`) is erased by the compiler: it brings no code along. */
const TYPE_ONLY = /^\s*(?:import|export)\s+type\s/;

function importsOf(file: string, { withTypeOnly = true } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)]
    .filter((m) => withTypeOnly || !TYPE_ONLY.test(m[0]))
    .map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

test('src/core imports neither vscode nor Node built-ins, and nothing outside src/core', () => {
  const core = resolve(REPO_ROOT, 'src', 'core');
  const problems: string[] = [];
  const all = files(core);
  assert.ok(all.length > 10, 'expected the core sources');
  let seen = 0;
  for (const f of all) {
    const runtime = new Set(importsOf(f, { withTypeOnly: false }));
    for (const spec of importsOf(f)) {
      seen++;
      const where = relative(REPO_ROOT, f);
      if (spec === 'vscode' || spec.startsWith('vscode/')) problems.push(`${where}: imports vscode`);
      else if (BUILTINS.has(spec) || spec.startsWith('node:')) problems.push(`${where}: imports Node built-in ${spec}`);
      else if (spec.startsWith('.')) {
        const target = resolve(dirname(f), spec);
        if (!target.startsWith(core)) problems.push(`${where}: imports ${spec} from outside src/core`);
      } else if (runtime.has(spec)) problems.push(`${where}: imports package ${spec} (the core has no dependencies)`);
    }
  }
  assert.ok(seen > all.length, `import scanner found only ${seen} imports in ${all.length} files`);
  assert.deepEqual(problems, []);
});

test('the webview never imports the reader (core/onnx, core/protobuf)', () => {
  const problems: string[] = [];
  for (const f of files(resolve(REPO_ROOT, 'webview'))) {
    for (const spec of importsOf(f)) if (/core\/(onnx|protobuf)|core\/index/.test(spec) || spec === 'vscode') problems.push(`${relative(REPO_ROOT, f)}: ${spec}`);
  }
  assert.deepEqual(problems, []);
});
