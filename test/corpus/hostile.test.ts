// Every case of the hostile corpus gets the outcome its case.json asks for, in-process (parse,
// collect, check and decode every tensor with the Node host) and through the `inspect` CLI in a
// child process: typed errors only, messages naming the problem, no read outside the model
// folder (fs.openSync spy + the host's own log), the canary never in any output, time bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { build } from 'esbuild';
import { corpusTestOptions, HAVE_CORPUS, REPO_ROOT } from '../support/corpus';
import { withOpenSpy } from '../support/openSpy';
import {
  OnnxFormatError, TensorDecodeError, ExternalDataError, checkSparseTensor, checkTensorData, collectWeights,
  computeTensorStats, dataTypeInfo, parseModel, tensorValueChunks, type WeightEntry,
} from '../../src/core/index';
import { openFileSource } from '../../src/node/fileSource';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { buildSandbox, hostileCases, type HostileCase, type Sandbox } from './hostileSandbox';
import { compareWithReference, type RefStats } from './readerCompare';

const CANARY_PREFIX = 'CANARY-SECRET-0123456789abcdef-t';

interface RunResult {
  outcome: 'reject' | 'reject_tensor' | 'accept' | 'accept_with_warnings';
  messages: string[];
  warnings: string[];
  refused: { name: string; message: string }[];
  statsProblems: string[];
  opened: string[];
}

function decodeAll(w: WeightEntry, ctx: Parameters<typeof checkTensorData>[1]): string | undefined {
  const refusal = w.sparse ? checkSparseTensor(w.sparse, ctx) : checkTensorData(w.tensor, ctx);
  if (refusal) return refusal.message;
  if (!dataTypeInfo(w.tensor.dataType)?.numeric) return undefined;
  try {
    computeTensorStats(tensorValueChunks(w.tensor, ctx));
    return undefined;
  } catch (e) {
    if (e instanceof TensorDecodeError || e instanceof ExternalDataError) return e.message;
    throw e;
  }
}

function runCase(c: HostileCase, sb: Sandbox): RunResult {
  const result: RunResult = { outcome: 'accept', messages: [], warnings: [], refused: [], statsProblems: [], opened: [] };
  result.opened = withOpenSpy((paths) => {
    readCase();
    return paths();
  });
  return result;

  function readCase(): void {
    let source;
    try {
      source = openFileSource(sb.modelPath);
    } catch (e) {
      result.outcome = 'reject';
      result.messages.push((e as Error).message);
      return;
    }
    const host = createExternalDataHost(sb.modelPath);
    try {
      let model;
      try {
        model = parseModel(source);
      } catch (e) {
        if (!(e instanceof OnnxFormatError)) throw e;
        result.outcome = 'reject';
        result.messages.push(e.message);
        return;
      }
      const ctx = { model: source, external: host };
      const weights = collectWeights(model);
      result.warnings.push(...model.warnings.map((w) => w.message));
      for (const w of weights) {
        result.warnings.push(...w.tensor.warnings);
        const why = decodeAll(w, ctx);
        if (why !== undefined) result.refused.push({ name: w.name, message: why });
      }
      result.warnings.push(...host.warnings);
      if (c.reference && existsSync(join(sb.modelDir, c.reference))) {
        type LongName = { long_string: true; length: number; prefix: string };
        const ref = JSON.parse(readFileSync(join(sb.modelDir, c.reference), 'utf8')) as { initializers?: { name: string | LongName; graph: string; stats?: RefStats; error?: string }[] };
        const pool = weights.filter((x) => x.origin === 'initializer');
        for (const r of ref.initializers ?? []) {
          // The reference abbreviates very long names as { length, prefix, sha256 }.
          const matches = (n: string): boolean => (typeof r.name === 'string' ? n === r.name : n.length === r.name.length && n.startsWith(r.name.prefix));
          const at = pool.findIndex((x) => x.graphPath === r.graph && matches(x.name));
          const w = at >= 0 ? pool.splice(at, 1)[0] : undefined;
          if (!w) result.statsProblems.push(`${JSON.stringify(r.name).slice(0, 60)}: missing`);
          else if (r.stats && !r.error && dataTypeInfo(w.tensor.dataType)?.numeric && !w.tensor.refusal) result.statsProblems.push(...compareWithReference(w.name.slice(0, 40), w.tensor, ctx, r.stats));
        }
      }
      result.messages.push(...result.refused.map((r) => r.message));
      result.outcome = result.refused.length > 0 ? 'reject_tensor' : result.warnings.length > 0 ? 'accept_with_warnings' : 'accept';
    } finally {
      host.close();
      source.close();
    }
  }
}

const mentions = (messages: readonly string[], words: readonly string[] | undefined): boolean =>
  !words || words.length === 0 || messages.some((m) => words.some((w) => m.toLowerCase().includes(w.toLowerCase())));

test('hostile corpus: every case behaves as its case.json says (in-process, node host)', corpusTestOptions, () => {
  const cases = hostileCases();
  assert.ok(cases.length >= 100, `expected 100 hostile cases, found ${cases.length}`);
  const failures: string[] = [];
  let passed = 0;
  for (const c of cases) {
    const sb = buildSandbox(c);
    try {
      const t0 = performance.now();
      const r = runCase(c, sb);
      const seconds = (performance.now() - t0) / 1000;
      const allowed = [c.expected.outcome, ...(c.expected.acceptable_outcomes ?? [])];
      const problems: string[] = [];
      if (!allowed.includes(r.outcome)) problems.push(`outcome ${r.outcome} not in ${allowed.join('/')} (${[...r.messages, ...r.warnings].slice(0, 2).join(' | ').slice(0, 300)})`);
      if ((r.outcome === 'reject' || r.outcome === 'reject_tensor') && !mentions(r.messages, c.expected.error_mentions_any)) problems.push(`message does not mention any of ${JSON.stringify(c.expected.error_mentions_any)}: ${r.messages[0]?.slice(0, 200)}`);
      if (r.outcome === 'accept_with_warnings' && c.expected.outcome === 'accept_with_warnings' && !mentions(r.warnings, c.expected.error_mentions_any)) problems.push(`warnings do not mention any of ${JSON.stringify(c.expected.error_mentions_any)}: ${r.warnings[0]?.slice(0, 200)}`);
      problems.push(...r.statsProblems);
      const base = realpathSync(sb.modelDir) + sep;
      if (!r.opened.includes(sb.modelPath)) problems.push('the fs.openSync spy did not see the model being opened (spy broken)');
      for (const p of r.opened) if (!realpathSync(p).startsWith(base)) problems.push(`opened ${p} outside the model folder`);
      const text = [...r.messages, ...r.warnings].join('\n');
      if (text.includes(CANARY_PREFIX)) problems.push('canary bytes in the output');
      // Generous bound (the sidecar's budget includes process start-up; a loaded CI machine is slower).
      if (seconds > c.expected.max_seconds) problems.push(`took ${seconds.toFixed(2)} s > ${c.expected.max_seconds} s`);
      if (problems.length === 0) passed++;
      else failures.push(`${c.id}: ${problems.join('; ')}`);
    } finally {
      sb.dispose();
    }
  }
  console.log(`# hostile in-process: ${passed}/${cases.length} cases passed`);
  assert.deepEqual(failures, []);
});

test('hostile corpus: `onnx-init inspect` exits 0 or 2 with no stack trace and no canary', { ...corpusTestOptions, skip: HAVE_CORPUS ? false : corpusTestOptions.skip }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'onnx-inspect-cli-'));
  try {
    const cli = join(outDir, 'cli.js');
    await build({ entryPoints: [join(REPO_ROOT, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', logLevel: 'silent', external: ['onnxruntime-node'] });
    const failures: string[] = [];
    for (const c of hostileCases()) {
      const sb = buildSandbox(c);
      try {
        const r = spawnSync(process.execPath, [cli, 'inspect', sb.modelPath], { encoding: 'utf8', timeout: 30_000, cwd: sb.modelDir, maxBuffer: 256 << 20 });
        const out = `${r.stdout}\n${r.stderr}`;
        if (r.status !== 0 && r.status !== 2) failures.push(`${c.id}: exit ${r.status} ${r.signal ?? ''}`);
        if (/\n\s+at .+:\d+:\d+\)?/.test(r.stderr)) failures.push(`${c.id}: stack trace in stderr`);
        if (out.includes(CANARY_PREFIX)) failures.push(`${c.id}: canary in output`);
        // eslint-disable-next-line no-control-regex -- looking for exactly these characters
        if (/[\u202a-\u202e\u2066-\u2069\u0000\u001b]/.test(out)) failures.push(`${c.id}: raw control / bidi character in terminal output`);
        const expectReject = c.expected.outcome === 'reject' && !(c.expected.acceptable_outcomes ?? []).some((o) => o !== 'reject');
        if (expectReject && r.status !== 2) failures.push(`${c.id}: expected exit 2 for a rejected file, got ${r.status}`);
        if (r.status === 2 && r.stderr.trim().split('\n').length !== 1) failures.push(`${c.id}: error is not one line`);
      } finally {
        sb.dispose();
      }
    }
    assert.deepEqual(failures, []);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

