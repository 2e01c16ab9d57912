import './useFakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fake } from './fakeVscode';
import { Config } from '../../src/vscode/config';
import { toEngineOptions, toFineTuneOptions, toProbeOptions } from '../../src/vscode/analysisOptions';
import { DEFAULT_THRESHOLDS } from '../../src/core/analysis/options';
import { diagnosticMessage, lineRange, toVscodeDiagnostic } from '../../src/vscode/diagnosticsPublisher';
import { renderInlineReport } from '../../src/vscode/inlineText';
import { layerHoverMarkdown } from '../../src/vscode/inlineHover';
import { BIAS, MODEL, ZERO, makeReport } from './reportFixture';

test('config: defaults, typed values, sanitizing of hand-edited settings, engine + probe mapping', () => {
  fake.settings = {};
  const c = new Config();
  const d = c.analysisSettings();
  assert.equal(d.activation, 'auto');
  assert.equal(d.varianceTolerance, 1);
  assert.equal(toEngineOptions(d).varianceTolerance, 2, 'relative deviation 1 = the engine\'s default factor 2');
  assert.deepEqual(d.fineTune, { datasetSize: 'small', domain: 'similar', numClasses: null, inputChannels: null });
  assert.equal(toEngineOptions(d).maxElementsPerTensor, null, '0 = no element limit');
  assert.equal(d.probe.enabled, true, 'the probe is on by default (trusted workspace, models up to maxModelSizeMb)');
  assert.equal(d.probe.maxModelSizeMb, 100);
  assert.deepEqual(d.thresholds, { varianceErrorFactor: null, forecastExplodeAbove: 100, forecastVanishBelow: 0.01, deadUnitsErrorFraction: 0.5 });
  assert.deepEqual(toEngineOptions(d).thresholds, DEFAULT_THRESHOLDS, 'default settings = the engine defaults');

  fake.settings = {
    'onnxInit.analysis.activation': 'tanh', 'onnxInit.analysis.varianceTolerance': 0.25, 'onnxInit.analysis.maxElementsPerTensor': 1e6,
    'onnxInit.fineTune.datasetSize': 'tiny', 'onnxInit.fineTune.domain': 'different', 'onnxInit.fineTune.numClasses': 10,
    'onnxInit.fineTune.inputChannels': 1, 'onnxInit.probe.enabled': true, 'onnxInit.probe.dimensionDefaults': { seq: 128, bad: -1, also: 'x' },
    'onnxInit.analysis.severityOverrides': { 'weight-all-zero': 'warning', 'x': 'fatal' }, 'onnxInit.analysis.ignore': ['lora_B.*', 3, ''],
    'onnxInit.analysis.varianceErrorFactor': 3, 'onnxInit.analysis.forecastExplodeAbove': 1000, 'onnxInit.analysis.forecastVanishBelow': 1e-4,
    'onnxInit.analysis.deadUnitsErrorFraction': 0.2,
  };
  const s = c.analysisSettings();
  assert.deepEqual(toEngineOptions(s), {
    activation: 'tanh', varianceTolerance: 1.25, maxElementsPerTensor: 1e6,
    severityOverrides: { 'weight-all-zero': 'warning' }, ignore: ['lora_B.*'],
    thresholds: { ...DEFAULT_THRESHOLDS, varianceErrorFactor: 3, forecastExplodeAbove: 1000, forecastVanishBelow: 1e-4, deadUnitsErrorFraction: 0.2 },
  });
  for (const name of ['prelu', 'elu', 'hardswish', 'softmax']) {
    fake.settings = { 'onnxInit.analysis.activation': name };
    assert.equal(toEngineOptions(c.analysisSettings()).activation, name);
  }
  assert.deepEqual(toFineTuneOptions(s), { datasetSize: 'tiny', domain: 'different', classes: 10, inputChannels: 1 });
  assert.deepEqual(toProbeOptions(s).dims, { seq: 128 }, 'only positive integer dims survive');
  assert.equal(s.probe.enabled, true);

  fake.settings = {
    'onnxInit.analysis.activation': 'bogus', 'onnxInit.analysis.varianceTolerance': 'wide', 'onnxInit.fineTune.domain': 'mars',
    'onnxInit.analysis.varianceErrorFactor': 0.5, 'onnxInit.analysis.forecastExplodeAbove': 1, 'onnxInit.analysis.forecastVanishBelow': 'x', 'onnxInit.analysis.deadUnitsErrorFraction': 7,
  };
  assert.deepEqual(c.thresholds, { varianceErrorFactor: null, forecastExplodeAbove: 100, forecastVanishBelow: 0.01, deadUnitsErrorFraction: 1 });
  assert.equal(c.activation, 'auto');
  assert.equal(c.varianceTolerance, 1);
  assert.equal(c.fineTune.domain, 'similar');
  c.dispose();
});

test('config: the probe is off in an untrusted workspace; onDidChange fires for our section only', async () => {
  fake.settings = { 'onnxInit.probe.enabled': true };
  const c = new Config();
  (vscode.workspace as { isTrusted: boolean }).isTrusted = false;
  assert.equal(c.probe.enabled, false);
  fake.settings = {};
  assert.equal(c.probe.enabled, false, 'not even by default');
  (vscode.workspace as { isTrusted: boolean }).isTrusted = true;
  assert.equal(c.probe.enabled, true);
  fake.settings = { 'onnxInit.probe.enabled': false };
  assert.equal(c.probe.enabled, false, 'switched off by the user');
  let n = 0;
  c.onDidChange(() => n++);
  fake.configChanged.fire({ affectsConfiguration: (s: string) => s === 'editor' });
  fake.changeSettings({ 'onnxInit.analysis.varianceTolerance': 1 });
  assert.equal(n, 1);
  fake.updates = [];
  await c.updateFineTune({ datasetSize: 'large', domain: 'different', numClasses: 3, inputChannels: null });
  assert.deepEqual(fake.updates.map((u) => u.key).sort(), ['onnxInit.fineTune.datasetSize', 'onnxInit.fineTune.domain', 'onnxInit.fineTune.inputChannels', 'onnxInit.fineTune.numClasses']);
  c.dispose();
});

test('toVscodeDiagnostic: severity, code linking to the README anchor, tensor + node, related line', () => {
  const at = new vscode.Location(vscode.Uri.from({ scheme: 'onnx-init', path: '/m.onnx.onnx-init' }), new vscode.Range(5, 0, 5, 10));
  const d = toVscodeDiagnostic(ZERO, new vscode.Range(0, 0, 0, 0), at);
  assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
  assert.equal(d.source, 'onnx-init');
  const code = d.code as { value: string; target: vscode.Uri };
  assert.equal(code.value, 'weight-all-zero');
  assert.match(code.target.toString(), /README\.md#weight-all-zero$/);
  assert.equal(d.message, 'all 8192 values are 0 [tensor body.fc2.weight, node /body/fc2/Gemm]');
  assert.equal(d.relatedInformation?.[0]?.location.range.start.line, 5);
  assert.equal(toVscodeDiagnostic(BIAS, new vscode.Range(0, 0, 0, 0)).severity, vscode.DiagnosticSeverity.Information);
  assert.equal(toVscodeDiagnostic(MODEL, new vscode.Range(0, 0, 0, 0)).severity, vscode.DiagnosticSeverity.Hint);
  // A name with a line break / bidi override cannot forge a second line or reorder the text.
  const evil = diagnosticMessage({ ...ZERO, tensor: 'w\n\u202eevil' });
  assert.ok(!evil.includes('\n') && !evil.includes('\u202e'), evil);
  assert.deepEqual([lineRange('  abc', 3).start.character, lineRange('  abc', 3).end.character], [2, 5]);
});

test('inline view text: one line per input and layer in graph order; every finding on its line', () => {
  const r = makeReport();
  const inline = renderInlineReport(r, 'm.onnx');
  const texts = inline.lines.map((l) => l.text);
  const fc1 = texts.findIndex((t) => t.includes('W=body.fc1.weight'));
  const fc2 = texts.findIndex((t) => t.includes('W=body.fc2.weight'));
  assert.ok(texts.some((t) => t.startsWith('input  x  float32[batch,64]')));
  assert.ok(fc1 > 0 && fc2 === fc1 + 1, 'layers in graph order');
  assert.match(texts[fc1] as string, /fan_in=64 {2}fan_out=128 {2}std=0\.1782 {2}rec=0\.1768\(he\) {2}ratio=1\.01× {2}match=he_normal\(1\.01×\)/);
  const bias = texts.findIndex((t) => t.startsWith('tensor  body.fc2.bias'));
  assert.deepEqual(inline.findingLines, [0, fc2, bias, fc2], 'model finding on the header, weight on its layer, bias on its tensor line, node-only finding on its layer');
  assert.equal(inline.text.split('\n').length, inline.lines.length + 1);
  const evil = renderInlineReport({ ...r, layers: [{ ...r.layers[0]!, node: 'a\nb' }] }, 'm.onnx');
  assert.equal(evil.text.split('\n').length, evil.lines.length + 1, 'a newline in a name does not add a line');
  const hover = layerHoverMarkdown(r.layers[1]!, [ZERO]);
  assert.match(hover, /fan_in \*\*64\*\*, fan_out \*\*128\*\*/);
  assert.match(hover, /Recommended: \*\*he\*\* std 0\.1768/);
  assert.match(hover, /weight-all-zero/);
});

test('inline view with a probe run: measured activation std, gain and forecast on each probed layer line and in its hover', () => {
  const r = makeReport();
  const probeLayer = {
    layerId: r.layers[1]!.id, depth: 1, node: r.layers[1]!.node, op: r.layers[1]!.op, output: 'h2', mean: 0.01, std: 0.0004321, stdSpread: null, nonFinite: 0,
    input: null, activation: { name: 'r2', node: '/r2/Relu', op: 'Relu', mean: 0, std: 0.0002, stdSpread: null }, gain: 0.003, isolatedGain: 0.004,
    forecastStd: 0.0005, forecastGain: 0.0031, lsuvScale: 2314,
  };
  const withProbe = { ...r, probe: { inputs: [], seed: 7, batches: 4, dims: {}, layers: [probeLayer], findings: [], timing: { prepareMs: 1, loadMs: 1, runMs: 1, totalMs: 3 }, runtime: { name: 'onnxruntime-node', version: '1' }, notes: [] } } as unknown as typeof r;
  const inline = renderInlineReport(withProbe, 'm.onnx');
  const line = inline.lines.find((l) => l.layerId === r.layers[1]!.id)!.text;
  assert.match(line, /act_std=4\.32e-4 {2}gain=0\.003 {2}forecast=5\.00e-4$/);
  const other = inline.lines.find((l) => l.layerId === r.layers[0]!.id)!.text;
  assert.doesNotMatch(other, /act_std/, 'layers the probe did not measure have no probe columns');
  assert.ok(inline.lines.some((l) => l.kind === 'section' && /seed 7, 4 batches/.test(l.text)));
  const hover = layerHoverMarkdown(r.layers[1]!, [], probeLayer as never);
  assert.match(hover, /output std \*\*4\.32e-4\*\*.*forecast 5\.00e-4.*gain 0\.003 \(forecast 0\.0031\).*after Relu: std 2\.00e-4.*LSUV rescale ×2314/);
});
