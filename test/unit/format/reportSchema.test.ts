// docs/report.schema.json must describe the reports we really emit: built reports here, every
// fixture model's analyzeModel report below (and the torch corpus in test/corpus when present).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import { sampleReport } from './sampleReport';
import { reportValidator } from './reportValidator';
import { formatJson } from '../../../src/core/report/format/formatJson';
import { REPORT_SCHEMA_VERSION } from '../../../src/core/report/reportModel';
import { bytesSource, parseModel } from '../../../src/core/index';
import { suggestFineTune } from '../../../src/core/finetune/suggestFineTune';
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
