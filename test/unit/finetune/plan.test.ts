import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suggestFineTune } from '../../../src/core/finetune/suggestFineTune';
import { joinNames } from '../../../src/core/finetune/freezePlan';
import { modulePathFromNodeName, modulePathFromParamName } from '../../../src/core/finetune/modulePaths';
import { formatFineTuneHtml, formatFineTuneMarkdown, formatFineTuneText } from '../../../src/core/finetune/formatFineTune';
import type { LayerReport, LayerVerdict } from '../../../src/core/report/reportModel';
import type { OnnxModel } from '../../../src/core/onnx/model';
import { F, GraphBuilder, tinyResNet } from './graphs';

/** Layer verdicts as the analysis would report them (only the fields the fine-tune logic reads). */
function layers(model: OnnxModel, verdict: (node: string, weight: string) => LayerVerdict): LayerReport[] {
  const out: LayerReport[] = [];
  for (const n of model.graph.nodes) {
    if (!['Conv', 'Gemm', 'MatMul'].includes(n.opType)) continue;
    const w = n.inputs[1]!;
    const elements = model.graph.initializers.find((t) => t.name === w)?.elementCount ?? 0;
    out.push({ node: n.name, weight: w, verdict: verdict(n.name, w), looksTrained: null, fanIn: null, fanOut: null, stats: { finiteCount: elements } } as unknown as LayerReport);
  }
  return out;
}

describe('module paths', () => {
  test('TorchScript scope names and parameter names give PyTorch module paths', () => {
    assert.equal(modulePathFromNodeName('/features/features.1/conv/conv.0/conv.0.0/Conv'), 'features.1.conv.0.0');
    assert.equal(modulePathFromNodeName('/layer2/layer2.0/downsample/downsample.0/Conv'), 'layer2.0.downsample.0');
    assert.equal(modulePathFromNodeName('/encoder/layers.1/linear2/MatMul'), 'encoder.layers.1.linear2');
    assert.equal(modulePathFromNodeName('/Relu_2'), null);
    assert.equal(modulePathFromNodeName('fc_MatMul'), null);
    assert.equal(modulePathFromParamName('layer3.1.conv2.weight'), 'layer3.1.conv2');
    assert.equal(modulePathFromParamName('fc.weight_quantized'), 'fc');
    assert.equal(modulePathFromParamName('onnx::Conv_538'), null);
  });
});

describe('stages and the freeze plan', () => {
  const model = tinyResNet(5).model();

  test('a ResNet groups into stem + one stage per layerN container, with resolution boundaries', () => {
    const ft = suggestFineTune(model);
    assert.deepEqual(ft.stages.map((s) => [s.name, s.label, s.prefixes.join(' '), s.layers]), [
      ['stem', 'conv1 + bn1', 'conv1. bn1.', 1],
      ['stage 1', 'layer1', 'layer1.', 4],
      ['stage 2', 'layer2', 'layer2.', 5],
    ]);
    assert.match(ft.stages[2]!.boundary, /resolution drops/);
    const params = ft.stages.reduce((a, s) => a + s.parameters, 0);
    const all = model.graph.initializers.filter((t) => !t.name.startsWith('fc.')).reduce((a, t) => a + t.elementCount, 0);
    assert.equal(params, all, 'every backbone parameter belongs to exactly one stage');
  });

  test('a deep transformer (24 blocks, no resolution change) is chunked into 12 stages of 2 blocks', () => {
    const g = new GraphBuilder(9);
    let x = g.input('tokens', ['N', 4, 8]);
    for (let i = 0; i < 24; i++) {
      const s = `/blocks/blocks.${i}`;
      let y = g.node('MatMul', [x, g.weight(`onnx::MatMul_${2 * i}`, [8, 8])], `${s}/fc1/MatMul`);
      y = g.node('Relu', [y], `${s}/act/Relu`);
      y = g.node('MatMul', [y, g.weight(`onnx::MatMul_${2 * i + 1}`, [8, 8])], `${s}/fc2/MatMul`);
      x = g.node('Add', [x, y], `${s}/Add`);
    }
    x = g.node('ReduceMean', [x], '/ReduceMean', { axes: [1], keepdims: 0 });
    g.node('Gemm', [x, g.weight('head.weight', [3, 8]), g.weight('head.bias', [3])], '/head/Gemm', { transB: 1 }, ['y']);
    g.output('y');
    const ft = suggestFineTune(g.model(13));
    assert.equal(ft.stages.length, 12);
    assert.deepEqual(ft.stages[0]!.prefixes, ['blocks.0.', 'blocks.1.']);
    assert.equal(ft.stages[11]!.label, 'blocks.22–23');
    assert.match(ft.stages[0]!.boundary, /2 blocks of blocks/);
    assert.equal(ft.heads[0]!.pooling, 'ReduceMean');
  });

  test('more data or a more different domain fine-tunes more stages; the head is always trained first', () => {
    const ft = suggestFineTune(model, {}, { layers: layers(model, () => 'trained') });
    assert.equal(ft.plan.length, 8);
    const trainable = (size: string, domain: string): number => ft.plan.find((p) => p.datasetSize === size && p.domain === domain)!.trainableStages.length;
    for (const domain of ['similar', 'different']) {
      const seq = ['tiny', 'small', 'medium', 'large'].map((s) => trainable(s, domain));
      assert.deepEqual([...seq].sort((a, b) => a - b), seq, `${domain}: monotonic in dataset size`);
    }
    for (const size of ['tiny', 'small', 'medium', 'large']) assert.ok(trainable(size, 'different') >= trainable(size, 'similar'), size);
    assert.equal(trainable('tiny', 'similar'), 0);
    assert.equal(trainable('large', 'similar'), 3, 'large: everything including the stem');
    for (const p of ft.plan) assert.match(p.steps[0]!, /^1\. Linear probe \(LP\)/);
    const chosen = ft.plan.find((p) => p.selected)!;
    assert.deepEqual([chosen.datasetSize, chosen.domain], ['small', 'similar']);
    assert.equal(chosen.summary, 'freeze stem + stage 1, fine-tune stage 2 + new head');
    assert.deepEqual(ft.freeze, ['conv1.', 'bn1.', 'layer1.']);
    assert.equal(ft.freezeBy, 'prefix');
    const lrs = chosen.learningRates.map((g) => g.lr);
    assert.deepEqual([...lrs].sort((a, b) => a - b), lrs, 'discriminative: later groups get larger learning rates');
    assert.equal(lrs[lrs.length - 1], 1e-3);
  });

  test('weights decide transferability: fresh body → nothing to transfer; fresh head in a trained body → ready', () => {
    const fresh = suggestFineTune(model, {}, { layers: layers(model, () => 'fresh') });
    assert.equal(fresh.transferable, false);
    assert.match(fresh.transferability.message, /^Nothing to transfer/);
    assert.deepEqual(fresh.freeze, []);
    assert.equal(fresh.snippet, null);
    assert.match(fresh.snippetReason!, /nothing to transfer/);
    const ready = suggestFineTune(model, {}, { layers: layers(model, (n) => (n === '/fc/Gemm' ? 'fresh' : 'trained')) });
    assert.equal(ready.transferable, true);
    assert.match(ready.transferability.message, /^Ready for fine-tuning/);
    const partly = suggestFineTune(model, {}, { layers: layers(model, (n) => (n.startsWith('/layer2/layer2.1') ? 'fresh' : 'trained')) });
    // layer2.1 holds 4608 of the 13 k backbone weights: a trained majority with a fresh part.
    assert.equal(partly.transferability.backbone, 'mixed');
    assert.equal(partly.transferable, true);
    assert.ok(partly.transferability.trainedShare! > 0.5 && partly.transferability.trainedShare! < 0.9);
    const layer1Fresh = suggestFineTune(model, { datasetSize: 'tiny' }, { layers: layers(model, (n) => (n.startsWith('/layer1/') ? 'fresh' : 'trained')) });
    assert.deepEqual(layer1Fresh.transferability.untrainedStages, ['stage 1']);
    const tiny = layer1Fresh.plan.find((p) => p.selected)!;
    assert.ok(tiny.trainableStages.includes('stage 1'), 'an untrained stage is never frozen');
    assert.deepEqual(layer1Fresh.freeze, ['conv1.', 'bn1.', 'layer2.']);
    const layer2Fresh = suggestFineTune(model, {}, { layers: layers(model, (n) => (n.startsWith('/layer2/') ? 'fresh' : 'trained')) });
    assert.equal(layer2Fresh.transferable, false, 'most backbone weights fresh: nothing to transfer');
    assert.match(layer2Fresh.transferability.message, /stem, stage 1 look trained, too little/);
  });

  test('new head: Xavier for logits with its numbers, zero-init alternative; classes from the option', () => {
    const ft = suggestFineTune(model, { classes: 37 }, { layers: layers(model, () => 'trained') });
    const nh = ft.newHead!;
    assert.deepEqual(nh.shape, [37, 16]);
    assert.equal(nh.fanIn, 16);
    assert.equal(nh.fanOut, 37);
    assert.equal(nh.classesFrom, 'option');
    assert.equal(nh.recommended.scheme, 'xavier_normal');
    assert.equal(nh.recommended.std, Math.sqrt(2 / (16 + 37)));
    assert.equal(nh.recommended.uniformBound, Math.sqrt(3) * Math.sqrt(2 / (16 + 37)));
    assert.equal(nh.alternative.scheme, 'zeros');
    assert.match(nh.alternative.reason, /ln\(classes\)/);
    assert.equal(suggestFineTune(model).newHead!.classes, 5, 'defaults to the current head');
  });

  test('modality hint for 1-channel data into a 3-channel first conv', () => {
    const ft = suggestFineTune(model, { inputChannels: 1 });
    assert.equal(ft.modalityHint!.expectedChannels, 3);
    assert.equal(ft.modalityHint!.firstWeight, 'conv1.weight');
    assert.match(ft.modalityHint!.message, /replicate the input 3 times/);
    assert.match(ft.modalityHint!.message, /sum the first conv's filters/);
    assert.equal(suggestFineTune(model, { inputChannels: 3 }).modalityHint, null);
  });

  test('joinNames writes stage ranges', () => {
    assert.equal(joinNames(['stem', 'stage 1', 'stage 2', 'stage 3']), 'stem + stages 1–3');
    assert.equal(joinNames(['stage 4']), 'stage 4');
    assert.equal(joinNames(['stage 1', 'stage 3']), 'stages 1, 3');
  });
});

describe('PyTorch snippet and renderers', () => {
  test('the snippet freezes by prefix, replaces the head with the recommended init and uses per-stage LRs', () => {
    const model = tinyResNet(5).model();
    const ft = suggestFineTune(model, { classes: 10 }, { layers: layers(model, () => 'trained') });
    const s = ft.snippet!;
    assert.match(s, /FREEZE = \("conv1\.", "bn1\.", "layer1\."\)/);
    assert.match(s, /head = nn\.Linear\(16, NUM_CLASSES\)/);
    assert.match(s, /nn\.init\.xavier_normal_\(head\.weight\)/);
    assert.match(s, /model\.fc = head/);
    assert.match(s, /params\("layer2\."\)/);
  });

  test('no snippet when names are not PyTorch module paths', () => {
    const g = new GraphBuilder();
    let x = g.input('x', [1, 4]);
    x = g.node('Gemm', [x, g.weight('W0', [6, 4])], 'n0', { transB: 1 });
    x = g.node('Relu', [x], 'n1');
    g.node('Gemm', [x, g.weight('W1', [2, 6])], 'n2', { transB: 1 }, ['y']);
    g.output('y');
    const m = g.model();
    const ft = suggestFineTune(m, {}, { layers: layers(m, () => 'trained') });
    assert.equal(ft.snippet, null);
    assert.match(ft.snippetReason!, /no PyTorch module path/);
    assert.equal(ft.freezeBy, 'name');
  });

  test('hostile names are neutralized in text and escaped in Markdown / HTML', () => {
    const g = new GraphBuilder();
    const evil = 'x<script>alert(1)</script>\u202e\u001b[31m`|*';
    let x = g.input('x', [1, 4]);
    x = g.node('Gemm', [x, g.weight('body.fc1.weight', [6, 4])], '/body/fc1/Gemm', { transB: 1 }, [evil]);
    x = g.node('Relu', [x], '/body/act/Relu', undefined, [`${evil}2`]);
    g.node('Gemm', [x, g.weight('head.weight', [2, 6])], '/head/Gemm', { transB: 1 }, ['y']);
    g.output('y', F);
    const ft = suggestFineTune(g.model(), {}, { modelPath: "a model's.onnx" });
    assert.equal(ft.cut!.tensor, `${evil}2`);
    const text = formatFineTuneText(ft);
    assert.ok(!text.includes('\u001b') && !text.includes('\u202e'));
    const html = formatFineTuneHtml(ft);
    assert.ok(!html.includes('<script>'));
    assert.ok(!html.includes('\u001b') && !html.includes('\u202e'));
    const md = formatFineTuneMarkdown(ft);
    assert.ok(!md.includes('<script>'));
    assert.match(ft.exportCommand!, /^onnx-init cut 'a model'\\''s\.onnx' --at '/);
  });
});
