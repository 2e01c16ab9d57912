// The analyze command's pure parts: option table parsing, exit-code policy and
// the atomic --out writer (the child-process runs are in analyzeCli.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYZE_OPTIONS, analyzeUsage, exitCodeFor, parseAnalyzeArgs, UsageError } from '../../../src/cli/commands/analyzeOptions';
import { writeReportAtomically } from '../../../src/cli/commands/analyzeOutput';
import { sampleReport } from '../format/sampleReport';
import { analyzeModel } from '../../../src/core/analyze';
import { ACTIVATION_OPTIONS } from '../../../src/core/analysis/gains';
import { DEFAULT_THRESHOLDS } from '../../../src/core/analysis/options';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { buildMlp } from '../../support/modelBuilders';

test('defaults: text to stdout, fail on error, no ignores, engine defaults', () => {
  const { model, settings } = parseAnalyzeArgs(['m.onnx']);
  assert.equal(model, 'm.onnx');
  assert.deepEqual({ ...settings, after: undefined }, { format: 'text', out: null, failOn: 'error', color: null, engine: {}, after: undefined });
});

test('every flag lands in the settings', () => {
  const { settings } = parseAnalyzeArgs(['--format', 'sarif', '--out', 'r.sarif', '--fail-on', 'warning', '--activation', 'leaky_relu', '--tolerance', '0.25', '--max-elements', '1000000', '--ignore', 'head.*', '--ignore=*.bias', '--no-color', 'm.onnx']);
  assert.equal(settings.format, 'sarif');
  assert.equal(settings.out, 'r.sarif');
  assert.equal(settings.failOn, 'warning');
  assert.deepEqual(settings.engine, { activation: 'leaky_relu', varianceTolerance: 0.25, maxElementsPerTensor: 1000000, ignore: ['head.*', '*.bias'] });
  assert.equal(settings.color, false);
});

test('bad usage is a UsageError naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing MODEL/],
    [['a.onnx', 'b.onnx'], /expected one MODEL, got 2/],
    [['--format', 'pdf', 'm.onnx'], /--format must be one of text, json, markdown, sarif, html; got "pdf"/],
    [['--fail-on', 'info', 'm.onnx'], /--fail-on must be one of error, warning, never/],
    [['--activation', 'swish', 'm.onnx'], /--activation must be one of auto, relu/],
    [['--activation', 'leaky_relu=0.2', 'm.onnx'], /--activation must be one of .*leaky_relu:ALPHA/],
    [['--activation=leaky_relu:-1', 'm.onnx'], /--activation must be one of .*got "leaky_relu:-1"/],
    [['--activation', 'relu:0.2', 'm.onnx'], /--activation must be one of/],
    [['--error-factor', '0.5', 'm.onnx'], /--error-factor must be a number ≥ 1, got "0\.5"/],
    [['--explode-above', '1', 'm.onnx'], /--explode-above must be a number > 1/],
    [['--vanish-below', '1', 'm.onnx'], /--vanish-below must be a number between 0 and 1/],
    [['--dead-units-error', '1.5', 'm.onnx'], /--dead-units-error must be a fraction between 0 and 1/],
    [['--forecast-min-run', '2.5', 'm.onnx'], /--forecast-min-run must be a positive integer/],
    [['--tolerance=-1', 'm.onnx'], /--tolerance must be a positive number, got "-1"/],
    [['--tolerance', '-1', 'm.onnx'], /^Option '--tolerance' argument is ambiguous\. .*'--tolerance=-XYZ'\.$/],
    [['--tolerance', 'abc', 'm.onnx'], /--tolerance must be a positive number/],
    [['--max-elements', '1.5', 'm.onnx'], /--max-elements must be a positive integer/],
    [['--bogus', 'm.onnx'], /Unknown option '--bogus'/],
    [['--out'], /--out/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseAnalyzeArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  }
});

test('--activation: every name and the sloped forms, applied to the analysis', () => {
  for (const name of ACTIVATION_OPTIONS) assert.equal(parseAnalyzeArgs(['--activation', name, 'm.onnx']).settings.engine.activation, name);
  assert.equal(parseAnalyzeArgs(['--activation', 'leaky_relu:0.20', 'm.onnx']).settings.engine.activation, 'leaky_relu:0.2');
  assert.equal(parseAnalyzeArgs(['--activation=prelu:0.1', 'm.onnx']).settings.engine.activation, 'prelu:0.1');
  const m = buildMlp({ sizes: [32, 32, 10] });
  const applied = (value: string): { activation: string; gain: number | null; scheme: string | null } => {
    const r = analyzeModel({ source: bytesSource(m.bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }, parseAnalyzeArgs(['--activation', value, 'm.onnx']).settings.engine);
    const l = r.layers[0];
    return { activation: l?.activation ?? '', gain: l?.recommended.gain ?? null, scheme: l?.recommended.scheme ?? null };
  };
  const cases: [string, string, number, string][] = [
    ['prelu', 'PRelu(0.25)', Math.sqrt(2 / 1.0625), 'he'],
    ['prelu:0.1', 'PRelu(0.1)', Math.sqrt(2 / 1.01), 'he'],
    ['leaky_relu', 'LeakyRelu(0.01)', Math.sqrt(2 / 1.0001), 'he'],
    ['leaky_relu:0.2', 'LeakyRelu(0.2)', Math.sqrt(2 / 1.04), 'he'],
    ['elu', 'Elu', Math.SQRT2, 'he'],
    ['hardswish', 'HardSwish', Math.SQRT2, 'he'],
    ['softmax', 'Softmax', 1, 'xavier'],
  ];
  for (const [value, activation, gain, scheme] of cases) {
    const got = applied(value);
    assert.equal(got.activation, activation, value);
    assert.equal(got.scheme, scheme, value);
    assert.ok(Math.abs((got.gain ?? 0) - gain) < 1e-12, `${value}: gain ${got.gain}`);
  }
  assert.match(analyzeUsage(), /--activation NAME\[:ALPHA\]\s+.*auto\|relu\|leaky_relu\|prelu\|elu\|selu\|gelu\|silu\|hardswish\|tanh\|sigmoid\|softmax\|linear.*leaky_relu:0\.2/);
});

test('threshold flags land in engine.thresholds (the others keep their defaults) and are applied', () => {
  const { settings } = parseAnalyzeArgs(['--error-factor', '3', '--explode-above=1e3', '--vanish-below', '1e-4', '--forecast-min-run', '5', '--dead-units-error', '0.25', 'm.onnx']);
  assert.deepEqual(settings.engine.thresholds, { varianceErrorFactor: 3, forecastExplodeAbove: 1000, forecastVanishBelow: 1e-4, forecastMinRun: 5, deadUnitsErrorFraction: 0.25 });
  assert.deepEqual(parseAnalyzeArgs(['--error-factor', '3', 'm.onnx']).settings.engine.thresholds, { ...DEFAULT_THRESHOLDS, varianceErrorFactor: 3 });
  // fc1 at 3× the He std: a warning by default (error at 2² = 4×), an error from --error-factor 2.5.
  const m = buildMlp({ sizes: [64, 128, 128, 10], init: [Math.sqrt(2 / 64), 3 * Math.sqrt(2 / 128), Math.sqrt(2 / 128)] });
  const severity = (argv: string[]): string | undefined => analyzeModel({ source: bytesSource(m.bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }, parseAnalyzeArgs([...argv, 'm.onnx']).settings.engine)
    .findings.find((f) => f.tensor === 'fc1.weight' && f.code === 'variance-too-high')?.severity;
  assert.equal(severity([]), 'warning');
  assert.equal(severity(['--error-factor', '2.5']), 'error');
});

test('--help lists every option of the table', () => {
  const help = analyzeUsage();
  for (const o of ANALYZE_OPTIONS) assert.ok(help.includes(`--${o.name}`), o.name);
  assert.match(help, /Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad usage or unreadable model/);
  assert.equal(parseAnalyzeArgs(['--help']).help, true);
});

test('exit code: 1 at or above --fail-on, intentional findings never count', () => {
  const report = sampleReport();
  assert.equal(exitCodeFor(report, 'error'), 1);
  assert.equal(exitCodeFor(report, 'never'), 0);
  const warningsOnly = { ...report, findings: report.findings.filter((f) => f.severity !== 'error') };
  assert.equal(exitCodeFor(warningsOnly, 'error'), 0);
  assert.equal(exitCodeFor(warningsOnly, 'warning'), 1);
  const intentional = { ...report, findings: [{ ...report.findings[1]!, intentional: true }] };
  assert.equal(exitCodeFor(intentional, 'warning'), 0);
});

test('--out: atomic write, never over the model or through a link to it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-out-'));
  try {
    const model = join(dir, 'm.onnx');
    writeFileSync(model, 'MODEL');
    const out = join(dir, 'r.json');
    writeFileSync(out, 'old');
    writeReportAtomically(out, '{"new":1}', model);
    assert.equal(readFileSync(out, 'utf8'), '{"new":1}');
    assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'r.json'], 'no temp file left');
    assert.throws(() => writeReportAtomically(model, 'x', model), /is the model file itself/);
    assert.throws(() => writeReportAtomically(join(dir, '.', 'm.onnx'), 'x', model), /is the model file itself/);
    symlinkSync(model, join(dir, 'symlink.onnx'));
    assert.throws(() => writeReportAtomically(join(dir, 'symlink.onnx'), 'x', model), /is the model file itself/);
    linkSync(model, join(dir, 'alias.onnx'));
    assert.throws(() => writeReportAtomically(join(dir, 'alias.onnx'), 'x', model), /is the model file itself \(or a link to it\)/);
    mkdirSync(join(dir, 'sub'));
    assert.throws(() => writeReportAtomically(join(dir, 'sub'), 'x', model), /is a directory/);
    assert.throws(() => writeReportAtomically(join(dir, 'missing', 'r.json'), 'x', model), /its folder does not exist/);
    assert.equal(readFileSync(model, 'utf8'), 'MODEL');
    assert.deepEqual(readdirSync(dir).sort(), ['alias.onnx', 'm.onnx', 'r.json', 'sub', 'symlink.onnx']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--out never replaces an external-data file the model read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-out-'));
  try {
    const model = join(dir, 'm.onnx');
    const data = join(dir, 'm.onnx.data');
    writeFileSync(model, 'MODEL');
    writeFileSync(data, 'WEIGHTS');
    assert.throws(() => writeReportAtomically(data, 'x', [model, data]), /is an external-data file of the model/);
    assert.equal(readFileSync(data, 'utf8'), 'WEIGHTS');
    writeReportAtomically(join(dir, 'r.txt'), 'ok', [model, data]);
    assert.equal(readFileSync(join(dir, 'r.txt'), 'utf8'), 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
