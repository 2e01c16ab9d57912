// docs/report.schema.json must describe the reports we really emit: built reports here, every
// fixture model's analyzeModel report below (and the torch corpus in test/corpus when present).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import { sampleReport } from './sampleReport';
import { reportValidator } from './reportValidator';
import { formatJson } from '../../../src/core/report/format/formatJson';
import { REPORT_SCHEMA_VERSION, type Report } from '../../../src/core/report/reportModel';
import { bytesSource, parseModel } from '../../../src/core/index';
import { suggestFineTune } from '../../../src/core/finetune/suggestFineTune';
import { analyzeModel } from '../../../src/core/analyze';
import { openFileSource } from '../../../src/node/fileSource';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { formatHtml } from '../../../src/core/report/format/formatHtml';
import { formatMarkdown } from '../../../src/core/report/format/formatMarkdown';
import { formatText } from '../../../src/core/report/format/formatText';


test('the schema compiles in strict mode and accepts a built report (through formatJson)', () => {
  const check = reportValidator();
  assert.deepEqual(check(JSON.parse(formatJson(sampleReport()))), []);
});

test('the schema pins schemaVersion to REPORT_SCHEMA_VERSION', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'report.schema.json'), 'utf8'));
  assert.equal(schema.properties.schemaVersion.const, REPORT_SCHEMA_VERSION);
});

test('the schema rejects reports that break the contract', () => {
  const check = reportValidator();
  const good = JSON.parse(formatJson(sampleReport()));
  const broken = [
    { ...good, schemaVersion: 2 },
    { ...good, layers: undefined },
    { ...good, findings: [{ ...good.findings[0], severity: 'fatal' }] },
    { ...good, findings: [{ ...good.findings[0], code: 'Not Kebab' }] },
    { ...good, layers: [{ ...good.layers[0], stats: { ...good.layers[0].stats, std: 'NaN' } }] },
    { ...good, layers: [{ ...good.layers[0], fanConvention: 'keras' }] },
    { ...good, forecast: { ...good.forecast, verdict: 'fine' } },
  ];
  for (const report of broken) assert.notDeepEqual(check(report), [], JSON.stringify(report).slice(0, 80));
});

test('formatJson round-trips and writes bidi/zero-width/separator characters as escapes', () => {
  const report = sampleReport({ node: 'a\u202eb\u2028c\u200bd<x>' });
  const text = formatJson(report);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
  assert.doesNotMatch(text, /[\u202e\u2028\u200b<>]/);
  assert.match(text, /a\\u202eb\\u2028c\\u200bd\\u003cx\\u003e/);
});

test('a real fine-tune section (suggestFineTune on a fixture) validates and renders inert', () => {
  const model = parseModel(bytesSource(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'models', 'mlp_defects.onnx'))));
  const report = { ...sampleReport(), fineTune: suggestFineTune(model, { datasetSize: 'small', domain: 'similar' }) };
  assert.deepEqual(reportValidator()(JSON.parse(formatJson(report))), []);
  const broken = { ...JSON.parse(formatJson(report)), fineTune: { ...report.fineTune, freezeBy: 'regex' } };
  assert.notDeepEqual(reportValidator()(broken), []);
  assert.match(formatText(report), /head\.weight/);
  assert.match(formatMarkdown(report), /head\.weight/);
  const html = formatHtml(report);
  assert.match(html, /<section class="fine-tune">/);
  assert.doesNotMatch(html, /<script|\son[a-z]+=/i);
});

test('the probe section is described (typed ProbeReport)', () => {
  const t = { name: 'x', mean: 0, std: 1, stdSpread: { min: 0.9, max: 1.1, sd: 0.05 }, min: -4, max: 4, nonFinite: 0 };
  const probe: NonNullable<Report['probe']> = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [8, 784], distribution: 'normal(0,1)', reason: 'float input' }],
    seed: 0,
    batches: 8,
    dims: { N: 8 },
    layers: [{ layerId: 'L0', depth: 0, node: 'fc0', op: 'Gemm', output: 'h', mean: 0, std: 1.2, stdSpread: t.stdSpread, nonFinite: 0, input: t, activation: { ...t, node: 'relu', op: 'Relu' }, gain: 1.2, isolatedGain: 1.19, forecastStd: 1.1, forecastGain: 1.1, lsuvScale: 0.83 }],
    findings: [{ code: 'activation-explodes', severity: 'warning', tensor: null, node: 'fc0', message: 'm' }],
    timing: { prepareMs: 1, loadMs: 2, runMs: 3, totalMs: 6 },
    runtime: { name: 'onnxruntime-node', version: '1.30.0' },
    notes: [],
  };
  const report = { ...sampleReport(), probe };
  const check = reportValidator();
  assert.deepEqual(check(JSON.parse(formatJson(report))), []);
  assert.notDeepEqual(check(JSON.parse(formatJson({ ...report, probe: { ...probe, batches: 0 } }))), []);
  assert.notDeepEqual(check(JSON.parse(formatJson({ ...report, probe: { ...probe, layers: [{ ...probe.layers[0]!, activation: { ...t } as never }] } }))), []);
});

test('analyzeModel reports of every fixture model validate', () => {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'models');
  const models = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
  assert.ok(models.length >= 4);
  const check = reportValidator();
  for (const file of models) {
    const path = join(dir, file);
    const source = openFileSource(path);
    try {
      const report = analyzeModel({ source, external: createExternalDataHost(path), path: `test/fixtures/models/${file}` });
      assert.deepEqual(check(JSON.parse(formatJson(report))), [], file);
      assert.ok(report.layers.length > 0, file);
    } finally {
      source.close?.();
    }
  }
});
