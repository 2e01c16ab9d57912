// `onnx-init analyze` run as a child process (`node --import tsx src/cli/main.ts`), as a user or
// CI would: exit codes 0 / 1 / 2, one-line errors without stack traces, --out, every format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import { reportValidator } from '../format/reportValidator';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'models');
const CLEAN = join(FIXTURES, 'mlp_gemm_transB.onnx');
const DEFECTS = join(FIXTURES, 'mlp_defects.onnx');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'analyze', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ONNX_INIT_DEBUG: '' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: { code: number | null; stdout: string; stderr: string }, mention: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, mention);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, 'no stack trace, no internal error');
}

test('clean model: exit 0, even with --fail-on warning', () => {
  const r = cli(CLEAN);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fan_in\s+fan_out/);
  assert.equal(r.stderr, '');
  assert.equal(cli(CLEAN, '--fail-on', 'warning').code, 0);
});

test('defect model: exit 1 with --fail-on warning and error, 0 with never', () => {
  assert.equal(cli(DEFECTS, '--fail-on', 'warning').code, 1);
  assert.equal(cli(DEFECTS).code, 1, 'all-zero / constant weights are errors');
  const never = cli(DEFECTS, '--fail-on', 'never', '--format', 'json');
  assert.equal(never.code, 0);
  const report = JSON.parse(never.stdout);
  assert.deepEqual(reportValidator()(report), []);
  assert.ok(report.findings.some((f: { severity: string }) => f.severity === 'error'));
});

test('missing file, directory, garbage and bad flags: exit 2 with one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-cli-'));
  try {
    assertOneLineError(cli(join(dir, 'nope.onnx')), /cannot read model ".*nope\.onnx": no such file/);
    assertOneLineError(cli(dir), /is a directory/);
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)));
    assertOneLineError(cli(garbage), /cannot analyze model ".*garbage\.onnx": cannot parse the ONNX protobuf/);
    const text = join(dir, 'text.onnx');
    writeFileSync(text, 'ir_version: 8\ngraph { name: "g" }\n');
    assertOneLineError(cli(text), /cannot analyze model/);
    assertOneLineError(cli(CLEAN, '--format', 'pdf'), /--format must be one of/);
    assertOneLineError(cli(), /missing MODEL/);
    assertOneLineError(cli(CLEAN, '--wat'), /Unknown option '--wat'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--out writes the report atomically and refuses the model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-cli-'));
  try {
    const out = join(dir, 'report.sarif');
    const r = cli(DEFECTS, '--format', 'sarif', '--out', out, '--fail-on', 'never');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.length > 0);
    assert.deepEqual(readdirSync(dir), ['report.sarif']);
    const model = join(dir, 'm.onnx');
    writeFileSync(model, readFileSync(CLEAN));
    assertOneLineError(cli(model, '--out', model), /is the model file itself/);
    assert.deepEqual(readFileSync(model), readFileSync(CLEAN));
    mkdirSync(join(dir, 'sub'));
    assertOneLineError(cli(model, '--out', join(dir, 'sub')), /is a directory/);
    // A model with external data: its data files are protected too.
    const ext = join(dir, 'ext');
    cpSync(join(FIXTURES, 'ext_valid_control'), ext, { recursive: true });
    const before = readFileSync(join(ext, 'sub', 'w.bin'));
    assertOneLineError(cli(join(ext, 'model.onnx'), '--out', join(ext, 'sub', 'w.bin')), /is an external-data file of the model/);
    assert.deepEqual(readFileSync(join(ext, 'sub', 'w.bin')), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every format renders the defect model', () => {
  for (const format of ['text', 'json', 'markdown', 'sarif', 'html']) {
    const r = cli(DEFECTS, '--format', format, '--fail-on', 'never');
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    assert.ok(r.stdout.length > 200, format);
  }
});
