// `npm run bench [-- --large] [-- --check] [-- --runs N] [-- --no-python] [-- --only name,name]`
// Performance at scale (issue 8): generates deterministic models with our writer into bench/tmp,
// then measures, per model: the page-cache floor (`cat`), our CLI analysis (`onnx-init analyze`,
// or the core stats pass while the CLI has no `analyze`), the core stats pass itself, peak RSS of
// each child, and the Python reference (onnx.load + numpy per-tensor stats). Writes
// bench/results.json; with --check, compares against the committed one instead and exits 1 when
// a time ratio (ours / cat) or peak RSS regressed by more than 25%.
// The 4 GB case (and a Python run on it, ~9 GB RSS) is opt-in with --large.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { catFloor, median, runMeasured, type RunResult } from './measure';
import { manyInitializersModel, mlpModel, writeManifest, type BenchModel } from './models';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = join(ROOT, 'bench', 'tmp');
const RESULTS = join(ROOT, 'bench', 'results.json');
const args = process.argv.slice(2);
const CHECK = args.includes('--check');
const LARGE = args.includes('--large');
const NO_PYTHON = args.includes('--no-python');
/** `--only a,b`: run just these cases (quick checks); the others keep their committed values. */
const ONLY = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : undefined;
const RUNS = Number(args[args.indexOf('--runs') + 1]) > 0 && args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const PYTHON = '/usr/bin/python3';
/** Regression tolerance of --check. */
const TOLERANCE = 1.25;
/** Time ratios of smaller models are dominated by process start-up noise: not checked. */
const CHECK_MIN_BYTES = 100e6;
const MB = 1e6;

interface Case {
  readonly name: string;
  readonly kind: 'single-file' | 'external-data' | 'many-initializers';
  readonly bytes: number;
  readonly tensors: number;
  readonly catMs: number;
  /** CPU time (user + sys) of the cat floor: with the other CPU ratios, less sensitive to a loaded machine. */
  readonly catCpuMs: number | undefined;
  readonly ours: { readonly tool: string; readonly ms: number; readonly medianMs: number; readonly cpuMs: number | undefined; readonly peakRssMB: number | undefined };
  /** The same analysis with ONNX_INIT_WORKERS=1 (no worker threads), big models only. */
  readonly singleThread: { readonly ms: number; readonly cpuMs: number | undefined; readonly peakRssMB: number | undefined } | undefined;
  readonly coreStats: { readonly ms: number; readonly peakRssMB: number | undefined; readonly parseMs: number; readonly statsMs: number };
  readonly python: { readonly ms: number; readonly cpuMs: number | undefined; readonly peakRssMB: number | undefined; readonly loadMs: number } | { readonly skipped: string };
  /** Largest relative difference of per-tensor std between ours and numpy (float64 both). */
  readonly maxStdRelDiffVsNumpy: number | undefined;
  readonly ratios: {
    readonly oursOverCat: number;
    readonly pythonOverOurs: number | undefined;
    /** Same ratios in CPU time (all threads): what the work costs, whatever else runs on the machine. */
    readonly oursCpuOverCatCpu: number | undefined;
    readonly pythonCpuOverOursCpu: number | undefined;
  };
  readonly nsPerByte: number;
  readonly usPerTensor: number;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

function machine() {
  const py = (code: string): string | undefined => {
    const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    python: py('import sys; print(sys.version.split()[0])'),
    onnx: py('import onnx; print(onnx.__version__)'),
    numpy: py('import numpy; print(numpy.__version__)'),
    date: new Date().toISOString(),
    nodeStartupMs: undefined as number | undefined,
    /** 1-minute load average at the start and end of the run: above the core count, other work competed for the CPUs and wall times are inflated. */
    loadAverage: { start: loadavg()[0] ?? 0, end: undefined as number | undefined },
  };
}

/** Python reference availability: checks, tries apt-get once when root, else explains. */
function pythonStatus(): string | undefined {
  if (NO_PYTHON) return 'skipped by --no-python';
  const ok = (): boolean => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;
  if (ok()) return undefined;
  if (process.getuid?.() === 0) {
    log('python3-onnx / python3-numpy missing: trying apt-get install -y python3-onnx python3-numpy');
    spawnSync('apt-get', ['install', '-y', '-q', 'python3-onnx', 'python3-numpy'], { stdio: 'inherit' });
    if (ok()) return undefined;
  }
  return `Python reference skipped: ${PYTHON} cannot import onnx and numpy (apt-get install python3-onnx python3-numpy)`;
}

async function bundle(entry: string, out: string): Promise<string> {
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', logLevel: 'warning', external: ['onnxruntime-node'] });
  return out;
}

/** The CLI's analyze command if it works yet (bundled from the current sources, like dist/cli.js). */
async function analyzeCli(probeModel: BenchModel): Promise<string | undefined> {
  const cli = await bundle(join(ROOT, 'src', 'cli', 'main.ts'), join(TMP, 'cli.cjs'));
  // parallelStats looks for its worker bundle next to the entry bundle, as in dist/.
  await bundle(join(ROOT, 'src', 'node', 'parallelStatsWorker.ts'), join(TMP, 'parallelStatsWorker.js'));
  const r = spawnSync(process.execPath, [cli, 'analyze', probeModel.path, '--format', 'json', '--out', '/dev/null'], { encoding: 'utf8' });
  if (r.status === 0 || r.status === 1) return cli;
  log(`onnx-init analyze not usable yet (exit ${r.status}: ${(r.stderr || r.stdout).split('\n')[0]}); measuring the core stats pass instead`);
  return undefined;
}

const ANALYZE_TOOL = 'onnx-init analyze MODEL --format json --out /dev/null';

function relDiff(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function compareStats(oursFile: string, pyFile: string): number {
  const ours = new Map((JSON.parse(readFileSync(oursFile, 'utf8')) as { name: string; std: number }[]).map((r) => [r.name, r.std]));
  let worst = 0;
  for (const r of JSON.parse(readFileSync(pyFile, 'utf8')) as { name: string; std: number }[]) {
    const o = ours.get(r.name);
    if (o === undefined) return Infinity;
    worst = Math.max(worst, relDiff(o, r.std));
  }
  return worst;
}

interface Best {
  readonly first: RunResult;
  readonly ms: number;
  readonly medianMs: number;
  readonly cpuMs: number | undefined;
  readonly peakRssMB: number | undefined;
}

async function best(cmd: string, argv: readonly string[], runs: number, env?: NodeJS.ProcessEnv): Promise<Best> {
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runMeasured(cmd, argv, { env: env ?? process.env });
    if (r.code !== 0 && r.code !== 1) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.code}): ${r.stderr.slice(0, 500)}`);
    results.push(r);
  }
  const rss = results.map((r) => r.peakRssMB).filter((x): x is number => x !== undefined);
  const cpu = results.map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
  return { first: results[0]!, ms: Math.min(...results.map((r) => r.ms)), medianMs: median(results.map((r) => r.ms)), cpuMs: cpu.length ? Math.min(...cpu) : undefined, peakRssMB: rss.length ? Math.max(...rss) : undefined };
}

async function measure(model: BenchModel, kind: Case['kind'], statsPass: string, cli: string | undefined, py: string | undefined, runPython: boolean): Promise<Case> {
  log(`\n== ${model.name}: ${(model.bytes / MB).toFixed(1)} MB, ${model.tensors} tensors`);
  const cat = await catFloor(model.files, Math.max(5, RUNS));
  const catMs = cat.ms;
  log(`   cat floor          ${catMs.toFixed(1)} ms (CPU ${cat.cpuMs?.toFixed(0)} ms)`);
  const oursStatsFile = join(TMP, `${model.name}.ours.json`);
  const core = await best(process.execPath, [statsPass, model.path], RUNS);
  const coreSummary = JSON.parse(core.first.stdout) as { parseMs: number; statsMs: number };
  log(`   core stats pass    ${core.ms.toFixed(0)} ms (median ${core.medianMs.toFixed(0)}), peak RSS ${core.peakRssMB?.toFixed(0)} MB`);
  const analyzeArgv = cli ? [cli, 'analyze', model.path, '--format', 'json', '--out', '/dev/null'] : undefined;
  const ours = analyzeArgv ? await best(process.execPath, analyzeArgv, RUNS) : core;
  if (cli) log(`   onnx-init analyze  ${ours.ms.toFixed(0)} ms (median ${ours.medianMs.toFixed(0)}, CPU ${ours.cpuMs?.toFixed(0)} ms), peak RSS ${ours.peakRssMB?.toFixed(0)} MB`);
  const single = analyzeArgv && model.bytes >= CHECK_MIN_BYTES ? await best(process.execPath, analyzeArgv, RUNS, { ...process.env, ONNX_INIT_WORKERS: '1' }) : undefined;
  if (single) log(`   … single thread    ${single.ms.toFixed(0)} ms (CPU ${single.cpuMs?.toFixed(0)} ms), peak RSS ${single.peakRssMB?.toFixed(0)} MB`);
  let python: Case['python'] = { skipped: py ?? 'skipped for this size (use --large)' };
  let maxStdRelDiffVsNumpy: number | undefined;
  if (py === undefined && runPython) {
    const pyStatsFile = join(TMP, `${model.name}.py.json`);
    const p = await best(PYTHON, [join(ROOT, 'bench', 'pyref.py'), model.path, pyStatsFile], 1);
    python = { ms: p.ms, cpuMs: p.cpuMs, peakRssMB: p.peakRssMB, loadMs: (JSON.parse(p.first.stdout) as { loadMs: number }).loadMs };
    await runMeasured(process.execPath, [statsPass, model.path, oursStatsFile]);
    maxStdRelDiffVsNumpy = compareStats(oursStatsFile, pyStatsFile);
    log(`   python reference   ${p.ms.toFixed(0)} ms (CPU ${p.cpuMs?.toFixed(0)} ms), peak RSS ${p.peakRssMB?.toFixed(0)} MB; max std rel. diff vs ours ${maxStdRelDiffVsNumpy.toExponential(1)}`);
  }
  return {
    name: model.name,
    kind,
    bytes: model.bytes,
    tensors: model.tensors,
    catMs,
    ours: { tool: cli ? ANALYZE_TOOL : 'core stats pass (bench/statsPass.ts: parseModel + collectWeights + tensorValueChunks + StatsAccumulator)', ms: ours.ms, medianMs: ours.medianMs, cpuMs: ours.cpuMs, peakRssMB: ours.peakRssMB },
    singleThread: single ? { ms: single.ms, cpuMs: single.cpuMs, peakRssMB: single.peakRssMB } : undefined,
    coreStats: { ms: core.ms, peakRssMB: core.peakRssMB, parseMs: coreSummary.parseMs, statsMs: coreSummary.statsMs },
    python,
    maxStdRelDiffVsNumpy,
    catCpuMs: cat.cpuMs,
    ratios: {
      oursOverCat: ours.ms / catMs,
      pythonOverOurs: 'ms' in python ? python.ms / ours.ms : undefined,
      oursCpuOverCatCpu: ours.cpuMs !== undefined && cat.cpuMs ? ours.cpuMs / cat.cpuMs : undefined,
      pythonCpuOverOursCpu: 'ms' in python && python.cpuMs !== undefined && ours.cpuMs ? python.cpuMs / ours.cpuMs : undefined,
    },
    nsPerByte: (ours.ms * 1e6) / model.bytes,
    usPerTensor: (ours.ms * 1e3) / model.tensors,
  };
}

function targets(cases: readonly Case[]): { target: string; value: string; met: boolean | undefined }[] {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const out: { target: string; value: string; met: boolean | undefined }[] = [];
  for (const n of ['mlp-1g', 'mlp-1g-ext']) {
    const c = byName.get(n);
    if (!c) continue;
    const cpu = (x: number | undefined): string => (x === undefined ? '' : ` (CPU-time ratio ${x.toFixed(2)}×)`);
    out.push({ target: `${n}: analysis ≤ 3× cat floor`, value: `${c.ratios.oursOverCat.toFixed(2)}×${cpu(c.ratios.oursCpuOverCatCpu)}`, met: c.ratios.oursOverCat <= 3 });
    const p = c.ratios.pythonOverOurs;
    out.push({ target: `${n}: ≥ 5× faster than Python`, value: p === undefined ? 'not measured' : `${p.toFixed(2)}×${cpu(c.ratios.pythonCpuOverOursCpu)}`, met: p === undefined ? undefined : p >= 5 });
  }
  for (const c of cases) {
    if (c.singleThread === undefined || c.kind !== 'single-file') continue;
    const speedup = c.singleThread.ms / c.ours.ms;
    out.push({ target: `${c.name}: worker threads help (speed-up vs ONNX_INIT_WORKERS=1)`, value: `${speedup.toFixed(2)}× (${c.singleThread.ms.toFixed(0)} → ${c.ours.ms.toFixed(0)} ms)`, met: speedup > 1.1 });
  }
  // Memory is bounded by the tensor data for the weight-size cases; a graph of 100,000 tensors is
  // a different axis (the graph and the report are held in memory), reported on its own.
  const bySize = cases.filter((c) => !c.name.startsWith('many-'));
  const rss = bySize.map((c) => c.ours.peakRssMB ?? 0);
  out.push({ target: `peak RSS ≤ 300 MB for any weight size (${bySize.map((c) => c.name).join(', ')})`, value: `max ${Math.max(...rss).toFixed(0)} MB`, met: Math.max(...rss) <= 300 });
  for (const c of cases.filter((x) => x.name.startsWith('many-'))) {
    out.push({ target: `peak RSS ≤ 300 MB for ${c.name} (${c.tensors} initializers: graph and report held in memory)`, value: `${(c.ours.peakRssMB ?? 0).toFixed(0)} MB`, met: (c.ours.peakRssMB ?? 0) <= 300 });
  }
  // Linear growth = a constant cost per added byte: the slope between consecutive sizes (a fixed
  // start-up cost of a few hundred ms makes the plain ns/byte of small models look worse).
  const scaling = cases.filter((c) => c.kind === 'external-data' && c.bytes >= CHECK_MIN_BYTES).sort((a, b) => a.bytes - b.bytes);
  if (scaling.length >= 3) {
    const slopes = scaling.slice(1).map((c, i) => ({ from: scaling[i]!, to: c, ns: ((c.ours.ms - scaling[i]!.ours.ms) * 1e6) / (c.bytes - scaling[i]!.bytes) }));
    const ns = slopes.map((x) => x.ns);
    const spread = Math.max(...ns) / Math.min(...ns);
    out.push({
      target: 'linear scaling (ns per added byte between consecutive sizes within ±25%, from 100 MB up)',
      value: `${slopes.map((x) => `${x.from.name}→${x.to.name} ${x.ns.toFixed(3)}`).join(', ')} (ns/byte overall: ${scaling.map((c) => `${c.name} ${c.nsPerByte.toFixed(3)}`).join(', ')})`,
      met: spread <= 1.25,
    });
  }
  const m10 = byName.get('many-10k');
  const m100 = byName.get('many-100k');
  if (m10 && m100) {
    const ratio = m100.usPerTensor / m10.usPerTensor;
    out.push({ target: '100k initializers: time linear in count (µs/tensor 100k vs 10k within 1.5×)', value: `${m10.usPerTensor.toFixed(1)} → ${m100.usPerTensor.toFixed(1)} µs/tensor (${m100.ours.ms.toFixed(0)} ms total)`, met: ratio <= 1.5 });
  }
  return out;
}

function check(fresh: { cases: Case[] }): number {
  let committed: { cases: Case[] };
  try {
    committed = JSON.parse(execFileSync('git', ['show', 'HEAD:bench/results.json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { cases: Case[] };
  } catch {
    log('--check: no committed bench/results.json to compare against');
    return 1;
  }
  const old = new Map(committed.cases.map((c) => [c.name, c]));
  let failures = 0;
  for (const c of fresh.cases) {
    const o = old.get(c.name);
    if (!o) continue;
    const lines: string[] = [];
    if (c.bytes >= CHECK_MIN_BYTES && c.ratios.oursOverCat > o.ratios.oursOverCat * TOLERANCE) lines.push(`time ratio ${o.ratios.oursOverCat.toFixed(2)}× → ${c.ratios.oursOverCat.toFixed(2)}×`);
    if (c.ours.peakRssMB !== undefined && o.ours.peakRssMB !== undefined && c.ours.peakRssMB > o.ours.peakRssMB * TOLERANCE) lines.push(`peak RSS ${o.ours.peakRssMB.toFixed(0)} → ${c.ours.peakRssMB.toFixed(0)} MB`);
    if (c.ours.tool !== o.ours.tool) log(`   note: ${c.name} measured with "${c.ours.tool}", committed with "${o.ours.tool}"`);
    for (const l of lines) log(`REGRESSION ${c.name}: ${l} (> ${Math.round((TOLERANCE - 1) * 100)}%)`);
    if (lines.length === 0) log(`ok ${c.name}: ratio ${c.ratios.oursOverCat.toFixed(2)}× (committed ${o.ratios.oursOverCat.toFixed(2)}×), RSS ${c.ours.peakRssMB?.toFixed(0)} MB (committed ${o.ours.peakRssMB?.toFixed(0)})`);
    failures += lines.length;
  }
  return failures > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  mkdirSync(TMP, { recursive: true });
  const info = machine();
  info.nodeStartupMs = (await best(process.execPath, ['-e', '0'], 3)).ms;
  const py = pythonStatus();
  if (py) log(py);
  const statsPass = await bundle(join(ROOT, 'bench', 'statsPass.ts'), join(TMP, 'statsPass.cjs'));
  log('generating models in bench/tmp (deterministic; reused when present)…');
  const t0 = performance.now();
  const plan: { model: BenchModel; kind: Case['kind']; python: boolean }[] = [
    { model: mlpModel(TMP, 'mlp-1g', 1e9, false), kind: 'single-file', python: true },
    { model: mlpModel(TMP, 'mlp-1g-ext', 1e9, true), kind: 'external-data', python: true },
    { model: mlpModel(TMP, 'mlp-10m-ext', 10e6, true), kind: 'external-data', python: true },
    { model: mlpModel(TMP, 'mlp-100m-ext', 100e6, true), kind: 'external-data', python: true },
    ...(LARGE ? [{ model: mlpModel(TMP, 'mlp-4g-ext', 4e9, true), kind: 'external-data' as const, python: true }] : []),
    { model: manyInitializersModel(TMP, 'many-10k', 10_000), kind: 'many-initializers', python: true },
    { model: manyInitializersModel(TMP, 'many-100k', 100_000), kind: 'many-initializers', python: true },
  ];
  if (ONLY) plan.splice(0, plan.length, ...plan.filter((p) => ONLY.has(p.model.name)));
  writeManifest(TMP, plan.map((p) => p.model));
  log(`models ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cli = await analyzeCli(mlpModel(TMP, 'mlp-10m-ext', 10e6, true));
  const cases: Case[] = [];
  for (const p of plan) cases.push(await measure(p.model, p.kind, statsPass, cli, py, p.python));
  info.loadAverage.end = loadavg()[0];
  const results = {
    note: 'Generated by `npm run bench` (bench/run.ts). Times are the best of N runs in ms; ratios are what --check compares.',
    machine: info,
    config: { runs: RUNS, large: LARGE, python: py ?? 'measured' },
    cases,
    targets: targets(cases),
  };
  log('\ntargets:');
  for (const t of results.targets) log(`  ${t.met === undefined ? '?' : t.met ? 'MET ' : 'GAP '} ${t.target}: ${t.value}`);
  if (info.loadAverage.start > cpus().length || (info.loadAverage.end ?? 0) > cpus().length) log(`note: load average ${info.loadAverage.start.toFixed(1)} → ${info.loadAverage.end?.toFixed(1)} on ${cpus().length} cores: other processes competed for the CPUs; wall times are inflated`);
  if (CHECK) {
    writeFileSync(join(TMP, 'results.check.json'), JSON.stringify(results, null, 2) + '\n');
    return check(results);
  }
  if (ONLY) {
    writeFileSync(join(TMP, 'results.only.json'), JSON.stringify(results, null, 2) + '\n');
    log(`\n--only: wrote ${join(TMP, 'results.only.json')} (bench/results.json keeps the full run)`);
    return 0;
  }
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${RESULTS}`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
