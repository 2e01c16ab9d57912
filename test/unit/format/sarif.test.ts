// SARIF 2.1.0 structure (the properties the OASIS schema requires or constrains, and what GitHub
// code scanning reads): version, runs[].tool.driver with rules, results pointing at rules by id
// and index, levels, messages and locations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSarif, pathToUri } from '../../../src/core/report/format/formatSarif';
import { findingAnchor, findingDocUrl, FINDINGS_README_URL } from '../../../src/core/report/findingDocs';
import { sampleReport } from './sampleReport';
import { HOSTILE, INVISIBLE } from './hostileStrings';

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string; name: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string }; helpUri: string; defaultConfiguration: { level: string } }[] } };
    artifacts: { location: { uri: string } }[];
    results: { ruleId: string; ruleIndex: number; level: string; kind: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { name: string; fullyQualifiedName?: string; kind: string }[] }[] }[];
  }[];
}

test('SARIF: log, run, driver and one rule per finding code', () => {
  const report = sampleReport();
  const log = JSON.parse(formatSarif(report)) as SarifLog;
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0/);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'onnx-init');
  assert.equal(run.tool.driver.version, '0.1.0');
  assert.match(run.tool.driver.informationUri, /^https:\/\//);
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.deepEqual(ids, [...new Set(report.findings.map((f) => f.code))].sort());
  for (const rule of run.tool.driver.rules) {
    assert.equal(rule.helpUri, findingDocUrl(rule.id));
    assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
    assert.match(rule.name, /^[A-Z][A-Za-z0-9]*$/);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
  }
});

test('SARIF: results with level, message, rule reference, physical and logical locations', () => {
  const report = sampleReport();
  const run = (JSON.parse(formatSarif(report)) as SarifLog).runs[0]!;
  assert.equal(run.results.length, report.findings.length);
  assert.deepEqual(run.artifacts[0]!.location.uri, 'models/mlp.onnx');
  const levels = Object.fromEntries(run.results.map((r) => [r.ruleId, r.level]));
  assert.deepEqual(levels, { 'weight-all-zero': 'error', 'variance-too-low': 'warning', 'intentional-zero-bias': 'note' });
  for (const r of run.results) {
    assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
    assert.ok(r.message.text.length > 0);
    assert.equal(r.locations[0]!.physicalLocation.artifactLocation.uri, 'models/mlp.onnx');
  }
  const zero = run.results.find((r) => r.ruleId === 'weight-all-zero')!;
  assert.deepEqual(zero.locations[0]!.logicalLocations.map((l) => [l.name, l.kind, l.fullyQualifiedName]), [
    ['fc1.weight', 'variable', 'main_graph/fc1.weight'],
    ['fc1', 'function', 'main_graph/fc1'],
  ]);
  const deliberate = run.results.find((r) => r.ruleId === 'intentional-zero-bias')! as (typeof run.results)[number] & { suppressions?: { kind: string; status: string; justification: string }[] };
  assert.equal(deliberate.kind, 'informational');
  assert.deepEqual(deliberate.suppressions?.map((x) => [x.kind, x.status]), [['external', 'accepted']]);
  assert.equal(zero.kind, 'fail');
  assert.equal((zero as { suppressions?: unknown }).suppressions, undefined);
});

test('SARIF: hostile names stay JSON text, visible and bounded', () => {
  for (const [kind, value] of Object.entries(HOSTILE)) {
    const text = formatSarif(sampleReport({ node: value, weight: value, message: value, path: kind === 'long' ? 'm.onnx' : value }));
    const log = JSON.parse(text) as SarifLog;
    const strings = JSON.stringify(log.runs[0]!.results);
    assert.doesNotMatch(JSON.parse(JSON.stringify(strings)), INVISIBLE, kind);
    assert.ok(text.length < 30_000, `${kind}: ${text.length}`);
  }
  // The artifact URI is the real path (percent-encoded, so invisible characters show as %XX).
  const uri = (JSON.parse(formatSarif(sampleReport({ path: HOSTILE.rtl }))) as SarifLog).runs[0]!.artifacts[0]!.location.uri;
  assert.equal(uri, 'gpj.%E2%80%AEexe.evil');
});

test('SARIF artifact URIs: relative paths stay relative, absolute ones become file URIs', () => {
  assert.equal(pathToUri('models/my model#1.onnx'), 'models/my%20model%231.onnx');
  assert.equal(pathToUri('/abs/m.onnx'), 'file:///abs/m.onnx');
  assert.equal(pathToUri('C:\\m\\x.onnx'), 'file:///C:/m/x.onnx');
  assert.equal(pathToUri('sub\\x.onnx'), 'sub/x.onnx');
});

test('finding doc links are the README heading anchors', () => {
  assert.equal(findingAnchor('weight-all-zero'), 'weight-all-zero');
  assert.equal(findingDocUrl('dead-units'), `${FINDINGS_README_URL}#dead-units`);
  assert.equal(findingDocUrl('x', 'file:///ext/README.md'), 'file:///ext/README.md#x');
});
