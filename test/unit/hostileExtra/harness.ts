// Shared checks for the extra hostile-file tests: write a model built with our writer into a temp
// folder, run `onnx-init inspect` and `onnx-init analyze` in every format (in process through the
// commands' IO seam, and a few as real child processes), and assert the safety contract: exit code
// 0/1/2, no internal error or stack trace, outputs free of raw control / bidi characters (text),
// unescaped markup (HTML / Markdown), valid JSON / SARIF without NaN / Infinity, bounded time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runAnalyze } from '../../../src/cli/commands/analyze';
import { runInspect } from '../../../src/cli/commands/inspect';
import { runCut } from '../../../src/cli/commands/cut';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { GraphSpec, ModelSpec, NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { DataType } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { planProbe } from '../../../src/core/probe/probePlan';
import type { Report } from '../../../src/core/report/reportModel';
import { openFileSource } from '../../../src/node/fileSource';
import { REPO_ROOT } from '../../support/corpus';
import { reportValidator } from '../format/reportValidator';

export const FORMATS = ['text', 'json', 'markdown', 'sarif', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** A fresh temp folder; `done()` removes it. */
export function tempDir(prefix = 'onnx-init-hx-'): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export function f32(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function floatTensor(name: string, dims: readonly number[], values?: ArrayLike<number>): TensorSpec {
  const n = dims.reduce((a, b) => a * b, 1);
  const v = values ?? Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + 1) * 0.1);
  return { name, dataType: DataType.FLOAT, dims, raw: f32(v) };
}

export function graph(nodes: readonly NodeSpec[], initializers: readonly TensorSpec[], extra: Partial<GraphSpec> = {}): GraphSpec {
  return {
    name: 'g',
    nodes,
    initializers,
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 4] }],
    outputs: [{ name: 'y', elemType: DataType.FLOAT }],
    ...extra,
  };
}

export function model(g: GraphSpec, extra: Partial<ModelSpec> = {}): ModelSpec {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'hx', graph: g, ...extra };
}

export function writeModelFile(dir: string, spec: ModelSpec, name = 'model.onnx'): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(spec));
  return path;
}

function sink(): { write(t: string): boolean; text(): string } {
  const parts: string[] = [];
  return { write: (t: string) => (parts.push(t), true), text: () => parts.join('') };
}

/** `onnx-init analyze` in process (same code as the CLI, without the process start-up). */
export async function analyzeInProcess(args: readonly string[]): Promise<RunResult> {
  const out = sink();
  const err = sink();
  const t0 = performance.now();
  let code: number;
  try {
    code = await runAnalyze(args, { stdout: out, stderr: err, env: { NO_COLOR: '1' } });
  } catch (e) {
    code = 99;
    err.write(`UNCAUGHT ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
  return { code, stdout: out.text(), stderr: err.text(), ms: performance.now() - t0 };
}

export function inspectInProcess(args: readonly string[]): RunResult {
  const out = sink();
  const err = sink();
  const t0 = performance.now();
  let code: number;
  try {
    code = runInspect(args, { stdout: out, stderr: err });
  } catch (e) {
    code = 99;
    err.write(`UNCAUGHT ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
  return { code, stdout: out.text(), stderr: err.text(), ms: performance.now() - t0 };
}

/** The real CLI as a child process. */
export function cliChild(...args: string[]): RunResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ONNX_INIT_DEBUG: '' },
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

// Raw C0/C1 controls other than \n \t (and \r none), bidi overrides/isolates, line separators.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function assertSafeRun(r: RunResult, what: string, maxMs = 10_000): void {
  assert.ok([0, 1, 2].includes(r.code), `${what}: exit code ${r.code}\n${r.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(r.stderr, /internal error|UNCAUGHT/, `${what}: ${r.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: stack trace in stderr`);
  assert.ok(r.ms < maxMs, `${what}: took ${Math.round(r.ms)} ms`);
  assert.doesNotMatch(r.stderr, RAW_CONTROL, `${what}: raw control/bidi character in stderr`);
  assert.doesNotMatch(r.stderr, LONE_SURROGATE, `${what}: lone surrogate in stderr`);
}

/** Output-format specific checks; returns the parsed JSON for json/sarif. */
export function assertSafeOutput(format: Format | 'inspect', out: string, what: string): unknown {
  assert.doesNotMatch(out, LONE_SURROGATE, `${what}: lone surrogate in output`);
  switch (format) {
    case 'text':
    case 'inspect': {
      const m = RAW_CONTROL.exec(out);
      assert.equal(m, null, `${what}: raw control/bidi U+${m?.[0].codePointAt(0)?.toString(16)} at ${m?.index}: ${JSON.stringify(out.slice(Math.max(0, (m?.index ?? 0) - 60), (m?.index ?? 0) + 20))}`);
      return undefined;
    }
    case 'markdown': {
      const m = RAW_CONTROL.exec(out);
      assert.equal(m, null, `${what}: raw control/bidi U+${m?.[0].codePointAt(0)?.toString(16)} in markdown`);
      assert.doesNotMatch(out, /<script|<img|<\/script|onerror=|<!--|-->/i, `${what}: unescaped markup in markdown`);
      return undefined;
    }
    case 'html': {
      assert.doesNotMatch(out, /<script(?![^>]*\bnonce=)|onerror=|onload=|javascript:|<img /i, `${what}: unescaped markup in html`);
      // Exactly as many script tags as the page itself uses (the payload closes none).
      const closes = out.match(/<\/script/gi)?.length ?? 0;
      const opens = out.match(/<script/gi)?.length ?? 0;
      assert.equal(closes, opens, `${what}: </script> count differs from <script> count`);
      assert.doesNotMatch(out, /[\u202a-\u202e\u2066-\u2069]/u, `${what}: raw bidi override in html`);
      return undefined;
    }
    case 'json':
    case 'sarif': {
      let parsed: unknown;
      assert.doesNotThrow(() => { parsed = JSON.parse(out); }, `${what}: output is not JSON`);
      assertNoNonFiniteTokens(parsed, what);
      if (format === 'json') assert.deepEqual(reportValidator()(parsed).slice(0, 5), [], `${what}: report schema violations`);
      if (format === 'sarif') assert.equal((parsed as { version?: string }).version, '2.1.0');
      return parsed;
    }
  }
}

/** `onnx-init cut` in process. */
export function cutInProcess(args: readonly string[]): RunResult {
  const out = sink();
  const err = sink();
  const t0 = performance.now();
  let code: number;
  try {
    code = runCut(args, { stdout: out, stderr: err });
  } catch (e) {
    code = 99;
    err.write(`UNCAUGHT ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
  return { code, stdout: out.text(), stderr: err.text(), ms: performance.now() - t0 };
}

export interface SweepResult {
  readonly inspect: RunResult;
  readonly analyze: Record<Format, RunResult>;
  readonly report: Record<string, unknown> | undefined;
}

/** inspect + inspect --json + analyze in every format, all checked; returns the outputs. */
export async function sweep(path: string, what: string, maxMs = 10_000, extraArgs: readonly string[] = []): Promise<SweepResult> {
  const inspect = inspectInProcess([path]);
  assertSafeRun(inspect, `${what} inspect`, maxMs);
  assertSafeOutput('inspect', inspect.stdout, `${what} inspect`);
  const inspectJson = inspectInProcess([path, '--json']);
  assertSafeRun(inspectJson, `${what} inspect --json`, maxMs);
  if (inspectJson.code === 0) assertJsonClean(inspectJson.stdout, `${what} inspect --json`);
  const analyze = {} as Record<Format, RunResult>;
  let report: Record<string, unknown> | undefined;
  for (const format of FORMATS) {
    const r = await analyzeInProcess([path, '--format', format, '--fail-on', 'never', ...extraArgs]);
    assertSafeRun(r, `${what} analyze --format ${format}`, maxMs);
    if (r.code !== 2) {
      const parsed = assertSafeOutput(format, r.stdout, `${what} analyze --format ${format}`);
      if (format === 'json') report = parsed as Record<string, unknown>;
    }
    analyze[format] = r;
  }
  if (report !== undefined) {
    // The probe's plan walks the same graph (onnxruntime itself is not needed for the plan).
    const source = openFileSource(path);
    try {
      const t0 = performance.now();
      const m = parseModel(source);
      const rep = report as unknown as Report;
      assert.doesNotThrow(() => planProbe(m.graph, rep.layers, rep.tensors), `${what}: planProbe threw`);
      assert.ok(performance.now() - t0 < maxMs, `${what}: planProbe took ${Math.round(performance.now() - t0)} ms`);
    } finally {
      source.close();
    }
  }
  // The fine-tune cut at its suggested tensor and at the graph output `y` (hostile graphs must
  // give a clear refusal or a written model, never a crash).
  for (const at of [[], ['--at', 'y']]) {
    const c = cutInProcess([path, '--out', join(dirname(path), `cut-${at.length}.onnx`), ...at]);
    assertSafeRun(c, `${what} cut ${at.join(' ')}`, maxMs);
    assertSafeOutput('inspect', c.stdout, `${what} cut`);
  }
  return { inspect, analyze, report };
}

export function assertJsonClean(out: string, what: string): unknown {
  let parsed: unknown;
  assert.doesNotThrow(() => { parsed = JSON.parse(out); }, `${what}: not JSON`);
  assertNoNonFiniteTokens(parsed, what);
  assert.doesNotMatch(out, LONE_SURROGATE, `${what}: lone surrogate`);
  return parsed;
}

/** JSON cannot hold NaN / Infinity; a serializer that stringifies them ("NaN") breaks consumers. */
export function assertNoNonFiniteTokens(v: unknown, what: string, path = '$'): void {
  if (typeof v === 'string') assert.ok(!/^-?(NaN|Infinity)$/.test(v), `${what}: ${path} is the string ${v}`);
  else if (Array.isArray(v)) v.forEach((x, i) => assertNoNonFiniteTokens(x, what, `${path}[${i}]`));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) assertNoNonFiniteTokens(x, what, `${path}.${k}`);
}

/** All string values of a JSON value (to look for a name or a message). */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) allStrings(x, out);
  return out;
}
