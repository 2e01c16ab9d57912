// Every torch corpus model's real report (analyzeModel through `onnx-init analyze --format json`)
// validates against docs/report.schema.json, and every format renders it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath, corpusTestOptions, HAVE_CORPUS } from '../support/corpus';
import { runAnalyze } from '../../src/cli/commands/analyze';
import { reportValidator } from '../unit/format/reportValidator';
import { formatSarif } from '../../src/core/report/format/formatSarif';
import type { Report } from '../../src/core/report/reportModel';

function torchModels(): string[] {
  if (!HAVE_CORPUS) return [];
  const index = JSON.parse(readFileSync(corpusPath('torch', 'index.json'), 'utf8')) as { models: { files: { path: string }[] }[] };
  return index.models.map((m) => m.files[0]!.path).filter((p) => p.endsWith('.onnx'));
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runAnalyze(argv, { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) }, env: {} });
  return { code, stdout, stderr };
}

describe('reports of the torch corpus validate against the schema', corpusTestOptions, () => {
  const check = reportValidator();
  const models = torchModels();
  test('the corpus lists models', () => assert.ok(models.length >= 20, `${models.length} models`));
  for (const file of models) {
    test(file, async () => {
      const r = await run([corpusPath('torch', file), '--format', 'json', '--fail-on', 'never']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.deepEqual(check(report), [], file);
      assert.ok(report.layers.length > 0, `${file}: no layers`);
      const sarif = JSON.parse(formatSarif(report));
      assert.equal(sarif.runs[0].results.length, report.findings.length);
      for (const format of ['text', 'markdown', 'html']) {
        const out = await run([corpusPath('torch', file), '--format', format, '--fail-on', 'never']);
        assert.equal(out.code, 0, `${format}: ${out.stderr}`);
        assert.ok(out.stdout.includes(report.layers[0]!.op), `${file} ${format}`);
      }
    });
  }
});
