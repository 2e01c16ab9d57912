// The pure half of the probe's results: per-layer numbers from moments, and the finding rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeTarget } from '../../../src/core/probe/probePlan';
import { buildProbeLayers, probeFindings, summarizeTensor, type LayerForecast } from '../../../src/core/probe/probeResults';
import { DEFAULT_PROBE_OPTIONS } from '../../../src/core/probe/probeTypes';
import { momentsOf, type Moments } from '../../../src/core/probe/tensorMoments';

/** Moments of a tensor with the given mean and std (two values: mean ± std). */
const m = (mean: number, std: number): Moments => momentsOf(new Float64Array([mean - std, mean + std]));

function target(depth: number, over: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    layerId: `L${depth}`, depth, node: `fc${depth}`, op: 'Gemm', nodeIndex: depth, output: `y${depth}`, input: `x${depth}`, inputIndex: 0,
    inputIsGraphInput: depth === 0, activation: null, normalizedAfter: false, verdict: 'fresh', deliberateScale: false, biasSecondMoment: 0, isHead: false,
    ...over,
  };
}

/** A chain: layer i reads x_i (std ins[i]) and writes y_i (std outs[i]). */
function chain(ins: number[], outs: number[], over: Partial<ProbeTarget>[] = [], forecastGain = 1) {
  const targets = outs.map((_, i) => target(i, over[i]));
  const fwd = new Map<string, Moments[]>();
  outs.forEach((s, i) => {
    fwd.set(`x${i}`, [m(0, ins[i] as number)]);
    fwd.set(`y${i}`, [m(0, s)]);
  });
  const forecast = (): LayerForecast => ({ std: null, gain: forecastGain });
  const layers = buildProbeLayers(targets, fwd, new Map(), forecast);
  return { layers, targets, findings: probeFindings(layers, targets, DEFAULT_PROBE_OPTIONS) };
}

test('summarizeTensor pools batches and gives the spread of the per-batch std', () => {
  const s = summarizeTensor('t', [m(0, 1), m(0, 3)]);
  assert.equal(s.mean, 0);
  assert.equal(s.std, Math.sqrt(5)); // pooled: values ±1, ±3
  assert.deepEqual(s.stdSpread, { min: 1, max: 3, sd: 1 });
  assert.equal(s.rms, Math.sqrt(5));
  assert.deepEqual(summarizeTensor('none', []).std, null);
});

test('gain, rms gain and the sequential LSUV factors', () => {
  const { layers } = chain([1, 2, 0.5], [2, 0.5, 0.5]);
  assert.deepEqual(layers.map((l) => l.gain), [2, 0.25, 1]);
  assert.deepEqual(layers.map((l) => l.rmsGain), [2, 0.25, 1]);
  // 1/std for the first, previous std / std after: applying all at once gives unit outputs.
  assert.deepEqual(layers.map((l) => l.lsuvScale), [0.5, 4, 1]);
});

test('vanishing: the depth where the std leaves the band of the run', () => {
  const { findings } = chain([1, 0.3, 0.12, 0.01], [0.3, 0.12, 0.01, 0.002]);
  const v = findings.filter((f) => f.code === 'activation-vanishes');
  assert.equal(v.length, 1);
  assert.equal(v[0]?.data?.startsAt, 2);
  assert.equal(v[0]?.severity, 'warning');
});

test('a normalization starts a new run; heads and layers before a norm are not judged', () => {
  // Layer 1 is followed by a norm: its tiny output is not judged, and layer 2's run starts at its own input.
  const a = chain([1, 0.5, 0.004, 0.003], [0.5, 0.004, 0.003, 0.0001], [{}, { normalizedAfter: true }, {}, { isHead: true }]);
  assert.deepEqual(a.findings.filter((f) => f.code.startsWith('activation-')), []);
  // Without the norm the same numbers vanish from depth 1.
  const b = chain([1, 0.5, 0.004, 0.003], [0.5, 0.004, 0.003, 0.0001], [{}, {}, {}, { isHead: true }]);
  assert.equal(b.findings.find((f) => f.code === 'activation-vanishes')?.data?.startsAt, 1);
});

test('a deliberate small scale makes the vanishing finding info; NaN makes explosion an error', () => {
  const a = chain([1, 0.05], [0.05, 0.01], [{ deliberateScale: true }]);
  assert.equal(a.findings.find((f) => f.code === 'activation-vanishes')?.severity, 'info');
  const targets = [target(0)];
  const fwd = new Map([['x0', [m(0, 1)]], ['y0', [momentsOf(new Float32Array([1, NaN]))]]]);
  const layers = buildProbeLayers(targets, fwd, new Map(), () => ({ std: null, gain: 1 }));
  const f = probeFindings(layers, targets, DEFAULT_PROBE_OPTIONS);
  assert.equal(f[0]?.code, 'activation-explodes');
  assert.equal(f[0]?.severity, 'error');
});

test('layer-gain-mismatch: beyond 2×, bias-aware, info for trained weights and approximate ops', () => {
  assert.deepEqual(chain([1], [1.9]).findings, []);
  const hit = chain([1], [2.5]).findings;
  assert.deepEqual(hit.map((f) => [f.code, f.severity, f.node]), [['layer-gain-mismatch', 'warning', 'fc0']]);
  // A tiny input next to a bias with E[b²] = 1: output rms ≈ 1 is what the bias predicts.
  assert.deepEqual(chain([1e-4], [1], [{ biasSecondMoment: 1 }]).findings, [], 'neither a mismatch nor an explosion');
  assert.deepEqual(chain([1e-4], [1]).findings.map((f) => f.code), ['activation-explodes', 'layer-gain-mismatch']);
  assert.equal(chain([1], [2.5], [{ verdict: 'trained' }]).findings[0]?.severity, 'info');
  assert.equal(chain([1], [2.5], [{ op: 'ConvTranspose' }]).findings[0]?.severity, 'info');
});

test('a trained model is not at init: its band findings and mismatches are info', () => {
  const targets = [target(0), target(1)];
  const fwd = new Map([['x0', [m(0, 1)]], ['y0', [m(0, 0.3)]], ['x1', [m(0, 0.3)]], ['y1', [m(0, 0.01)]]]);
  const layers = buildProbeLayers(targets, fwd, new Map(), () => ({ std: null, gain: 1 }));
  const fresh = probeFindings(layers, targets, DEFAULT_PROBE_OPTIONS);
  const trained = probeFindings(layers, targets, DEFAULT_PROBE_OPTIONS, { trainedModel: true });
  assert.deepEqual(fresh.map((f) => f.severity), ['warning', 'warning', 'warning']);
  assert.deepEqual(trained.map((f) => [f.code, f.severity]), [['activation-vanishes', 'info'], ['layer-gain-mismatch', 'info'], ['layer-gain-mismatch', 'info']]);
  assert.match(trained[0]?.message ?? '', /trained weights: this is how the trained model propagates/);
});
