// `onnx-init probe MODEL [options]`: runs the model with onnxruntime on seeded Gaussian inputs and
// prints the measured activation std per layer next to the static forecast. Also the step that
// `analyze --probe` appends to the report. Exit codes: 0 ok, 1 probe findings at or above
// --fail-on, 2 bad usage, unreadable model, or a model onnxruntime cannot run (one clear line).
import { parseArgs } from 'node:util';
import { formatProbeText } from '../../core/probe/formatProbe';
import { DEFAULT_PROBE_OPTIONS, type ProbeOptions, type ProbeReport } from '../../core/probe/probeTypes';
import { displayString } from '../../core/report/format/displayString';
import { severityAtLeast } from '../../core/report/format/severity';
import type { Severity } from '../../core/report/reportModel';
import { describeProbeError } from '../../node/probe/probeReportStep';
import { runProbe } from '../../node/probe/runProbe';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ProbeIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

const NODE_IO: ProbeIO = { stdout: process.stdout, stderr: process.stderr };

const FLAGS = {
  batches: { type: 'string', value: 'N', help: `batches to run (default ${DEFAULT_PROBE_OPTIONS.batches})` },
  'batch-size': { type: 'string', value: 'N', help: `value of batch-like symbolic dims (default ${DEFAULT_PROBE_OPTIONS.batchSize})` },
  'seq-len': { type: 'string', value: 'N', help: `value of sequence-like symbolic dims (default ${DEFAULT_PROBE_OPTIONS.sequenceLength})` },
  'image-size': { type: 'string', value: 'N', help: `value of height/width symbolic dims (default ${DEFAULT_PROBE_OPTIONS.imageSize})` },
  dim: { type: 'string', multiple: true, value: 'NAME=N', help: 'value of one symbolic dim, by name or input:axis; repeatable' },
  seed: { type: 'string', value: 'N', help: `seed of the input generator (default ${DEFAULT_PROBE_OPTIONS.seed})` },
  timeout: { type: 'string', value: 'S', help: `give up after S seconds (default ${DEFAULT_PROBE_OPTIONS.timeoutSeconds})` },
  'memory-limit': { type: 'string', value: 'MB', help: `kill the probe above MB MiB resident (default ${DEFAULT_PROBE_OPTIONS.memoryLimitMb})` },
  format: { type: 'string', value: 'text|json', help: 'output format (default text)' },
  'fail-on': { type: 'string', value: 'error|warning|never', help: 'exit 1 when a probe finding is at or above this level (default error)' },
  help: { type: 'boolean', value: '', help: 'show this help' },
} as const;

function usage(): string {
  const rows = Object.entries(FLAGS).map(([name, f]) => [`  --${name}${f.value ? ` ${f.value}` : ''}`, f.help] as const);
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    'Usage: onnx-init probe MODEL [options]',
    '',
    'Runs the model with onnxruntime (CPU, in a child process) on seeded N(0,1) inputs and reports the',
    'measured std of every layer output and activation, the per-layer gain, the static forecast and',
    'LSUV rescale factors, with findings activation-explodes / activation-vanishes / layer-gain-mismatch.',
    '',
    'Options:',
    ...rows.map(([flag, text]) => `${flag.padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

class UsageError extends Error {}

function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got "${displayString(value, 40)}"`);
  return n;
}

/** Parses the probe flags (after `probe`). Throws UsageError. */
export function parseProbeArgs(argv: readonly string[]): { model: string | null; options: ProbeOptions; format: 'text' | 'json'; failOn: Severity | 'never'; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type, ...('multiple' in f ? { multiple: true } : {}) }])),
    });
  } catch (e) {
    throw new UsageError(displayString((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '', 300));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const o: Mutable<ProbeOptions> = { ...DEFAULT_PROBE_OPTIONS, dims: {} };
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  if (str('batches') !== undefined) o.batches = integer('batches', str('batches') as string, 1);
  if (str('batch-size') !== undefined) o.batchSize = integer('batch-size', str('batch-size') as string, 1);
  if (str('seq-len') !== undefined) o.sequenceLength = integer('seq-len', str('seq-len') as string, 1);
  if (str('image-size') !== undefined) o.imageSize = integer('image-size', str('image-size') as string, 1);
  if (str('seed') !== undefined) o.seed = integer('seed', str('seed') as string, 0);
  if (str('timeout') !== undefined) o.timeoutSeconds = integer('timeout', str('timeout') as string, 1);
  if (str('memory-limit') !== undefined) o.memoryLimitMb = integer('memory-limit', str('memory-limit') as string, 64);
  const dims: Record<string, number> = {};
  for (const d of (v.dim as string[] | undefined) ?? []) {
    const eq = d.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--dim must be NAME=N, got "${displayString(d, 60)}"`);
    dims[d.slice(0, eq)] = integer('dim', d.slice(eq + 1), 0);
  }
  o.dims = dims;
  const format = str('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${displayString(format, 40)}"`);
  const failOn = str('fail-on') ?? 'error';
  if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never') throw new UsageError(`--fail-on must be error, warning or never, got "${displayString(failOn, 40)}"`);
  const help = v.help === true;
  if (!help && parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'missing MODEL (the .onnx file to probe)' : 'expected one MODEL');
  return { model: help ? null : (parsed.positionals[0] as string), options: o, format, failOn, help };
}

export { describeProbeError };

/** Runs `onnx-init probe`; resolves to the exit code. */
export async function runProbeCommand(argv: readonly string[], io: ProbeIO = NODE_IO): Promise<number> {
  let args: ReturnType<typeof parseProbeArgs>;
  try {
    args = parseProbeArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`onnx-init probe: ${e.message} (see onnx-init probe --help)\n`);
    return 2;
  }
  if (args.help || args.model === null) {
    io.stdout.write(usage());
    return 0;
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let probe: ProbeReport;
  try {
    probe = await runProbe(args.model, args.options, { signal: abort.signal });
  } catch (e) {
    io.stderr.write(`onnx-init: ${describeProbeError(args.model, e)}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  io.stdout.write(args.format === 'json' ? `${JSON.stringify(probe, null, 2)}\n` : formatProbeText(probe));
  const threshold = args.failOn;
  return threshold !== 'never' && probe.findings.some((f) => severityAtLeast(f.severity, threshold)) ? 1 : 0;
}

export { probeReportStep } from '../../node/probe/probeReportStep';
