// The activation probe on the PyTorch corpus: measured behaviour vs what the oracles say was
// injected (deep_relu_std001: N(0,0.01) everywhere; mlp_defects: fc2 zeros, fc3 constant, fc4 ×10),
// plus the external-data and float16 models. Skips with a clear message without the corpus.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ProbeReport } from '../../src/core/probe/probeTypes';
import { runProbe } from '../../src/node/probe/runProbe';
import { corpusPath, corpusTestOptions } from '../support/corpus';

const model = (name: string) => corpusPath('torch', `${name}.onnx`);
const oracle = (name: string) => JSON.parse(readFileSync(corpusPath('torch', `${name}.oracle.json`), 'utf8')) as { layers: { node: string; op_type: string }[] };
const byNode = (r: ProbeReport, node: string) => {
  const l = r.layers.find((x) => x.node === node);
  assert.ok(l, `no probed layer ${node} in ${r.layers.map((x) => x.node)}`);
  return l;
};

describe('probe on the torch corpus', corpusTestOptions, () => {
  test('deep_relu_std001 (N(0,0.01), 12×256): activations vanish from depth 1, as forecast', async () => {
    const r = await runProbe(model('deep_relu_std001'));
    assert.deepEqual(r.layers.map((l) => l.node), oracle('deep_relu_std001').layers.map((l) => l.node));
    const f = r.findings.find((x) => x.code === 'activation-vanishes');
    assert.ok(f, `findings: ${r.findings.map((x) => x.code)}`);
    assert.equal(f.data?.startsAt, 1);
    // Per layer the std shrinks by √(256·1e-4·½) = 0.113; first layer √(256)·0.01 = 0.16.
    assert.ok(Math.abs((r.layers[0]?.std as number) / 0.16 - 1) < 0.2);
    for (const l of r.layers) {
      assert.ok(Math.abs((l.std as number) / (l.forecastStd as number) - 1) < 0.35, `${l.node}: measured ${l.std} vs forecast ${l.forecastStd}`);
    }
    assert.ok((r.layers[11]?.std as number) < 1e-9);
  });

  test('mlp_relu_kaiming_fan_in (He): activation std within a factor of 2 across depth', async () => {
    const r = await runProbe(model('mlp_relu_kaiming_fan_in'));
    assert.equal(r.layers.length, 4);
    const act = r.layers.slice(0, 3).map((l) => l.activation?.std as number);
    const pre = r.layers.map((l) => l.std as number);
    assert.ok(Math.max(...act) / Math.min(...act) < 2, `activation stds ${act}`);
    assert.ok(Math.max(...pre) / Math.min(...pre) < 2, `layer output stds ${pre}`);
    assert.deepEqual(r.findings.filter((f) => f.code.startsWith('activation-')), []);
  });

  test('mlp_defects: the ×10 fc4 is a gain jump at that layer; the zero fc2 kills the signal', async () => {
    const r = await runProbe(model('mlp_defects'));
    const fc1 = byNode(r, '/body/fc1/Gemm');
    const fc4 = byNode(r, '/body/fc4/Gemm');
    const head = byNode(r, '/head/Gemm');
    // Past the all-zero fc2 the forward signal is exactly 0; the isolated run still measures each layer.
    assert.equal(byNode(r, '/body/fc2/Gemm').std, 0);
    const jump = (fc4.isolatedGain as number) / (fc1.isolatedGain as number);
    assert.ok(jump > 7 && jump < 14, `fc4 isolated gain ${fc4.isolatedGain} vs fc1 ${fc1.isolatedGain}`);
    assert.ok((fc4.isolatedGain as number) / (head.isolatedGain as number) > 7);
    assert.ok(Math.abs((fc4.isolatedGain as number) / (fc4.forecastGain as number) - 1) < 0.15, 'the forecast sees the ×10 too');
    const vanish = r.findings.find((x) => x.code === 'activation-vanishes');
    assert.equal(vanish?.data?.startsAt, 1);
    assert.ok(Math.abs((fc4.lsuvScale as number) * (fc4.isolatedGain as number) - 1) < 1e-9, 'LSUV falls back to the isolated gain past the dead layer');
  });

  test('runs are bit-reproducible with the same seed', async () => {
    const a = await runProbe(model('mlp_defects'), { seed: 123 });
    const b = await runProbe(model('mlp_defects'), { seed: 123 });
    assert.deepEqual(a.layers, b.layers);
    assert.deepEqual(a.findings, b.findings);
    assert.deepEqual(a.inputs, b.inputs);
  });

  test('mlp_external_data: weights read by reference from the .onnx.data file', async () => {
    const r = await runProbe(model('mlp_external_data'));
    assert.equal(r.layers.length, 3);
    for (const l of r.layers) {
      assert.ok((l.std as number) > 0.3 && Number.isFinite(l.std), `${l.node} std ${l.std}`);
      assert.ok(Math.abs((l.isolatedGain as number) / (l.forecastGain as number) - 1) < 0.15, `${l.node} ${l.isolatedGain} vs ${l.forecastGain}`);
    }
  });

  test('mlp_fp16: float16 inputs and outputs', async () => {
    const r = await runProbe(model('mlp_fp16'));
    assert.deepEqual(r.inputs.map((i) => [i.dtype, i.distribution]), [['float16', 'normal(0,1)']]);
    assert.equal(r.layers.length, 3);
    for (const l of r.layers) {
      assert.ok((l.std as number) > 0 && Number.isFinite(l.std), `${l.node} std ${l.std}`);
      // PyTorch default Linear init: std = 1/√(3·fan_in) per weight, gain 1/√3 on the rms.
      assert.ok(Math.abs((l.isolatedGain as number) / (l.forecastGain as number) - 1) < 0.2, `${l.node} ${l.isolatedGain} vs ${l.forecastGain}`);
    }
  });
});
