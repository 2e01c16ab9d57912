// The finding / forecast thresholds are options: the variance error factor (default tolerance²),
// the dead-unit fraction that makes dead-units an error, and the forecast's exploding / vanishing band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../../src/core/analyze';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import type { NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { DEFAULT_THRESHOLDS, resolveOptions, varianceErrorFactor, type AnalysisOptionsInput } from '../../../src/core/analysis/options';
import type { Report } from '../../../src/core/report/reportModel';
import { buildMlp, normalValues, Rng } from '../../support/modelBuilders';

function run(bytes: Uint8Array, options?: AnalysisOptionsInput): Report {
  return analyzeModel({ source: bytesSource(bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }, options as Parameters<typeof analyzeModel>[1]);
}
const codes = (r: Report, tensor: string): string[] => r.findings.filter((f) => f.tensor === tensor).map((f) => `${f.code}:${f.severity}`);

test('resolved thresholds: defaults, partial overrides, unusable values ignored', () => {
  assert.deepEqual(resolveOptions({}).thresholds, DEFAULT_THRESHOLDS);
  assert.equal(DEFAULT_THRESHOLDS.varianceErrorFactor, null, 'default: derived from the tolerance');
  assert.equal(varianceErrorFactor(resolveOptions({})), 4, 'tolerance 2 → error at 4×');
  assert.equal(varianceErrorFactor(resolveOptions({ varianceTolerance: 3 })), 9);
  const t = resolveOptions({ thresholds: { forecastVanishBelow: 1e-4, varianceErrorFactor: 3 } }).thresholds;
  assert.deepEqual(t, { ...DEFAULT_THRESHOLDS, forecastVanishBelow: 1e-4, varianceErrorFactor: 3 });
  const bad = resolveOptions({ thresholds: { forecastVanishBelow: 2, forecastExplodeAbove: 0.5, deadUnitsErrorFraction: -1, varianceErrorFactor: Number.NaN, forecastMinRun: undefined } }).thresholds;
  assert.deepEqual(bad, DEFAULT_THRESHOLDS);
});

test('varianceErrorFactor decides warning vs error of a variance finding', () => {
  // fc1 at 3× the He std, followed by ReLU, mid-network: a variance-too-high finding.
  const m = buildMlp({ sizes: [64, 128, 128, 10], init: [Math.sqrt(2 / 64), 3 * Math.sqrt(2 / 128), Math.sqrt(2 / 128)] });
  assert.deepEqual(codes(run(m.bytes), 'fc1.weight'), ['variance-too-high:warning'], 'default: error only at 2² = 4×');
  assert.deepEqual(codes(run(m.bytes, { thresholds: { varianceErrorFactor: 2.5 } }), 'fc1.weight'), ['variance-too-high:error']);
  assert.deepEqual(codes(run(m.bytes, { thresholds: { varianceErrorFactor: 3.5 } }), 'fc1.weight'), ['variance-too-high:warning']);
  assert.deepEqual(codes(run(m.bytes, { varianceTolerance: 1.5 }), 'fc1.weight'), ['variance-too-high:error'], 'derived: 1.5² = 2.25');
});

test('deadUnitsErrorFraction decides warning vs error of dead-units', () => {
  const rng = new Rng(9);
  const w = normalValues(32 * 16, Math.sqrt(2 / 16), rng);
  for (const row of [3, 7]) w.fill(0, row * 16, row * 16 + 16);
  const nodes: NodeSpec[] = [
    { opType: 'Gemm', name: 'fc1', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } },
    { opType: 'Relu', name: 'relu', inputs: ['h'], outputs: ['a'] },
    { opType: 'Gemm', name: 'head', inputs: ['a', 'head.weight'], outputs: ['y'], attributes: { transB: 1 } },
  ];
  const f32 = (name: string, dims: number[], values: ArrayLike<number>): TensorSpec => ({ name, dataType: DataType.FLOAT, dims, values });
  const bytes = encodeModel({ irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes, initializers: [f32('w', [32, 16], w), f32('head.weight', [10, 32], normalValues(320, 1 / Math.sqrt(32), rng))], inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 16] }], outputs: [{ name: 'y', elemType: DataType.FLOAT }] } });
  const dead = (r: Report): string | undefined => r.findings.find((f) => f.code === 'dead-units')?.severity;
  assert.equal(dead(run(bytes)), 'warning', '2 of 32 ≤ 0.5');
  assert.equal(dead(run(bytes, { thresholds: { deadUnitsErrorFraction: 0.05 } })), 'error', '2 of 32 > 0.05');
});

test('the forecast band is an option', () => {
  const m = buildMlp({ sizes: [256, 256, 256, 256, 256, 10], init: [0.01, 0.01, 0.01, 0.01, 0.01] });
  const r = run(m.bytes);
  assert.equal(r.forecast.verdict, 'vanishing');
  const wide = run(m.bytes, { thresholds: { forecastVanishBelow: 1e-12 } });
  assert.equal(wide.forecast.verdict, 'stable');
  assert.ok(!wide.findings.some((f) => f.code === 'activation-vanishes-forecast'));
  assert.equal(run(m.bytes, { thresholds: { forecastMinRun: 10 } }).forecast.verdict, 'stable', 'a 5-layer run is too short for a 10-layer minimum');

  const up = buildMlp({ sizes: [64, 64, 64, 64, 10], init: [0.35, 0.35, 0.35, 0.35] });
  assert.equal(run(up.bytes).forecast.verdict, 'stable', 'gain 64·0.1225·0.5 ≈ 3.9 per layer stays below 100 over the 3 layers before the head');
  assert.equal(run(up.bytes, { thresholds: { forecastExplodeAbove: 10 } }).forecast.verdict, 'exploding');
});
