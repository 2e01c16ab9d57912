// The options of `onnx-init analyze`, as a table: parsing (node:util parseArgs), validation,
// --help and defaults all come from ANALYZE_OPTIONS, so a feature adding a flag (--probe, the
// fine-tune options) adds one entry here. Also the exit-code policy.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { analyzeModel } from '../../core/analyze';
import type { Report, Severity } from '../../core/report/reportModel';
import { severityAtLeast } from '../../core/report/format/severity';
import { ACTIVATION_OPTIONS, parseActivationSetting } from '../../core/analysis/gains';
import { DEFAULT_THRESHOLDS, type AnalysisThresholds } from '../../core/analysis/options';
import { displayString } from '../../core/report/format/displayString';
import { DATASET_SIZES, DOMAINS } from '../../core/finetune/freezePlan';
import type { DatasetSize, DomainSimilarity } from '../../core/finetune/fineTuneModel';
import { probeReportStep } from './probe';

export const FORMATS = ['text', 'json', 'markdown', 'sarif', 'html'] as const;
export type OutputFormat = (typeof FORMATS)[number];
export const FAIL_ON = ['error', 'warning', 'never'] as const;

export type EngineOptions = NonNullable<Parameters<typeof analyzeModel>[1]>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Everything the options decide; option entries write into it. */
export interface AnalyzeSettings {
  format: OutputFormat;
  out: string | null;
  failOn: (typeof FAIL_ON)[number];
  color: boolean | null;
  /** Passed to analyzeModel as its options. */
  engine: Mutable<Partial<EngineOptions>>;
  /** Steps run on the finished report (e.g. an onnxruntime probe), in table order. */
  after: ((report: Report, settings: AnalyzeSettings, modelPath: string) => Promise<Report> | Report)[];
}

/** One command-line option of `analyze`. */
export interface AnalyzeOption {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** Placeholder in --help, e.g. `FILE`. */
  readonly valueName?: string;
  /** Allowed values (checked before `apply`). */
  readonly choices?: readonly string[];
  readonly description: string;
  /** Stores the parsed value; throws UsageError for a bad value. Called only when given. */
  readonly apply: (value: string | boolean, settings: AnalyzeSettings) => void;
}

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveNumber(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${displayString(value, 40)}"`);
  }
  return n;
}

/** A number in a range, for the threshold flags. */
function numberIn(flag: string, value: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${what}, got "${displayString(value, 40)}"`);
  return n;
}

function activationSetting(value: string): EngineOptions['activation'] {
  const v = parseActivationSetting(value);
  if (v === undefined) {
    throw new UsageError(`--activation must be one of ${ACTIVATION_OPTIONS.join(', ')}, or leaky_relu:ALPHA / prelu:ALPHA with a slope ALPHA ≥ 0; got "${displayString(value, 40)}"`);
  }
  return v;
}

/** Sets one threshold, keeping the others (given earlier on the line, else the defaults). */
function setThreshold<K extends keyof AnalysisThresholds>(s: AnalyzeSettings, key: K, value: AnalysisThresholds[K]): void {
  s.engine.thresholds = { ...DEFAULT_THRESHOLDS, ...s.engine.thresholds, [key]: value };
}

export const ANALYZE_OPTIONS: AnalyzeOption[] = [
  { name: 'format', type: 'string', valueName: 'FORMAT', choices: FORMATS, description: 'output format (default: text)', apply: (v, s) => void (s.format = v as OutputFormat) },
  { name: 'out', type: 'string', valueName: 'FILE', description: 'write the report to FILE (atomically; never over the model) instead of stdout', apply: (v, s) => void (s.out = String(v)) },
  { name: 'fail-on', type: 'string', valueName: 'LEVEL', choices: FAIL_ON, description: 'exit 1 when a finding is at or above LEVEL (default: error)', apply: (v, s) => void (s.failOn = v as AnalyzeSettings['failOn']) },
  { name: 'activation', type: 'string', valueName: 'NAME[:ALPHA]', description: `activation assumed after every layer instead of the one found in the graph: ${ACTIVATION_OPTIONS.join('|')} (default: auto); leaky_relu:ALPHA / prelu:ALPHA set the negative slope (default 0.01 / 0.25), e.g. leaky_relu:0.2`, apply: (v, s) => void (s.engine.activation = activationSetting(String(v))) },
  { name: 'tolerance', type: 'string', valueName: 'X', description: 'tolerated factor between measured and recommended std (default 2: within ½×–2×); below 1 it is a relative deviation (0.5 → 1.5×)', apply: (v, s) => void (s.engine.varianceTolerance = positiveNumber('tolerance', String(v), false)) },
  { name: 'error-factor', type: 'string', valueName: 'X', description: 'factor between measured and recommended std at which a variance finding is an error, not a warning (default: the tolerance squared, 4)', apply: (v, s) => setThreshold(s, 'varianceErrorFactor', numberIn('error-factor', String(v), (n) => n >= 1, 'a number ≥ 1')) },
  { name: 'explode-above', type: 'string', valueName: 'X', description: 'forecast: activation variance (relative to the input) above which the signal is called exploding (default 100)', apply: (v, s) => setThreshold(s, 'forecastExplodeAbove', numberIn('explode-above', String(v), (n) => n > 1, 'a number > 1')) },
  { name: 'vanish-below', type: 'string', valueName: 'X', description: 'forecast: activation variance (relative to the input) below which the signal is called vanishing (default 0.01)', apply: (v, s) => setThreshold(s, 'forecastVanishBelow', numberIn('vanish-below', String(v), (n) => n > 0 && n < 1, 'a number between 0 and 1 (exclusive)')) },
  { name: 'forecast-min-run', type: 'string', valueName: 'N', description: 'forecast: layers without normalization in a row before a trend is called (default 3)', apply: (v, s) => setThreshold(s, 'forecastMinRun', positiveNumber('forecast-min-run', String(v), true)) },
  { name: 'dead-units-error', type: 'string', valueName: 'F', description: 'fraction of dead output units above which dead-units is an error, not a warning (default 0.5)', apply: (v, s) => setThreshold(s, 'deadUnitsErrorFraction', numberIn('dead-units-error', String(v), (n) => n >= 0 && n <= 1, 'a fraction between 0 and 1')) },
  { name: 'max-elements', type: 'string', valueName: 'N', description: 'compute statistics on a deterministic sample of at most N elements per tensor', apply: (v, s) => void (s.engine.maxElementsPerTensor = positiveNumber('max-elements', String(v), true)) },
  { name: 'ignore', type: 'string', multiple: true, valueName: 'GLOB', description: 'drop findings on tensors whose name matches GLOB (* any text, ? one character); repeatable', apply: (v, s) => void (s.engine.ignore = [...(s.engine.ignore ?? []), String(v)]) },
  { name: 'color', type: 'boolean', description: 'force ANSI colors in text output', apply: (_v, s) => void (s.color = true) },
  { name: 'no-color', type: 'boolean', description: 'no ANSI colors (also: NO_COLOR environment variable)', apply: (_v, s) => void (s.color = false) },
  { name: 'probe', type: 'boolean', description: 'also run the model with onnxruntime on seeded N(0,1) inputs (child process; options: onnx-init probe --help) and add the measured activations', apply: (_v, s) => void s.after.push((report, _s, model) => probeReportStep(report, model)) },
  { name: 'dataset-size', type: 'string', valueName: 'SIZE', choices: DATASET_SIZES, description: 'fine-tune plan: labelled examples you have (tiny <1k, small 1k-10k, medium 10k-100k, large >100k; default: small)', apply: (v, s) => void (s.engine.fineTune = { ...s.engine.fineTune, datasetSize: v as DatasetSize }) },
  { name: 'domain', type: 'string', valueName: 'SIM', choices: DOMAINS, description: 'fine-tune plan: is your data similar to what the model was trained on (default: similar)', apply: (v, s) => void (s.engine.fineTune = { ...s.engine.fineTune, domain: v as DomainSimilarity }) },
  { name: 'classes', type: 'string', valueName: 'N', description: 'fine-tune plan: classes of the new head (default: as in the current head)', apply: (v, s) => void (s.engine.fineTune = { ...s.engine.fineTune, classes: positiveNumber('classes', String(v), true) }) },
  { name: 'input-channels', type: 'string', valueName: 'C', description: 'fine-tune plan: channels of your input data (e.g. 1 for grayscale / X-ray) for the first-conv hint', apply: (v, s) => void (s.engine.fineTune = { ...s.engine.fineTune, inputChannels: positiveNumber('input-channels', String(v), true) }) },
  { name: 'help', type: 'boolean', description: 'show this help', apply: () => undefined },
];

/** `--help` text, generated from ANALYZE_OPTIONS. */
export function analyzeUsage(): string {
  const rows = ANALYZE_OPTIONS.map((o) => {
    const value = o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.valueName ?? 'VALUE')}` : '';
    return [`  --${o.name}${value}`, o.description] as const;
  });
  const width = Math.min(48, Math.max(...rows.map((r) => r[0].length)));
  return [
    'Usage: onnx-init analyze MODEL [options]',
    '',
    'Analyzes the weight initialization of an ONNX model: fans, Xavier/He std, defects, fresh vs trained.',
    '',
    'Options:',
    ...rows.map(([flag, text]) => (flag.length > width ? `${flag}\n${' '.repeat(width + 2)}${text}` : `${flag.padEnd(width)}  ${text}`)),
    '',
    'Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad usage or unreadable model.',
    '',
  ].join('\n');
}

/** Parses `argv` (after the word `analyze`) into the model path and settings. Throws UsageError. */
export function parseAnalyzeArgs(argv: readonly string[]): { model: string | null; settings: AnalyzeSettings; help: boolean } {
  const config: ParseArgsConfig = {
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(ANALYZE_OPTIONS.map((o) => [o.name, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }])),
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    // parseArgs messages span lines and may end in a hint about positionals; keep one line.
    const message = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('To specify a positional')).join(' ');
    throw new UsageError(displayString(message, 300));
  }
  const settings: AnalyzeSettings = { format: 'text', out: null, failOn: 'error', color: null, engine: {}, after: [] };
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  for (const option of ANALYZE_OPTIONS) {
    const raw = values[option.name];
    if (raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (option.choices && !option.choices.includes(String(value))) {
        throw new UsageError(`--${option.name} must be one of ${option.choices.join(', ')}; got "${displayString(String(value), 40)}"`);
      }
      option.apply(value, settings);
    }
  }
  const help = values.help === true;
  if (help) return { model: null, settings, help };
  if (parsed.positionals.length === 0) throw new UsageError('missing MODEL (the .onnx file to analyze)');
  if (parsed.positionals.length > 1) throw new UsageError(`expected one MODEL, got ${parsed.positionals.length}: ${parsed.positionals.map((p) => `"${displayString(p, 60)}"`).join(' ')}`);
  return { model: parsed.positionals[0]!, settings, help };
}

/** 1 if a non-intentional finding is at or above the threshold, else 0. */
export function exitCodeFor(report: Report, failOn: AnalyzeSettings['failOn']): 0 | 1 {
  if (failOn === 'never') return 0;
  const threshold: Severity = failOn;
  return report.findings.some((f) => !f.intentional && severityAtLeast(f.severity, threshold)) ? 1 : 0;
}
