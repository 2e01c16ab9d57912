// Runs the test suites with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [group...]   groups: unit adapter corpus webview e2e (default: all)
// Groups that need something this machine lacks (the shared corpus, Chromium, code-server) say
// so clearly from inside their tests and skip; they never pass silently.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ALL = ['unit', 'adapter', 'corpus', 'webview', 'e2e'];
const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = groups.length ? groups : ALL;

function collect(dir) {
  let out = [];
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = chosen.flatMap((g) => collect(join('test', g)));
if (files.length === 0) {
  console.error(`no test files found for: ${chosen.join(', ')}`);
  process.exit(1);
}
// No V8 heap flag here: it would apply to every isolate and void the worker threads' own
// resourceLimits, which the adapter tests exercise (src/vscode/workerProcess.ts).
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
