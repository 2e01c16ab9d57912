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
