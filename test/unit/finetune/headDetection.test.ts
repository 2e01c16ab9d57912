import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suggestFineTune } from '../../../src/core/finetune/suggestFineTune';
import { F, GraphBuilder, tinyResNet } from './graphs';

describe('head detection', () => {
  test('CNN classifier: Gemm after GlobalAveragePool → Flatten; cut is the Flatten output', () => {
    const ft = suggestFineTune(tinyResNet(5).model());
    assert.equal(ft.kind, 'classifier');
    assert.deepEqual(ft.cut, { tensor: '/Flatten_out', node: '/Flatten' });
    assert.deepEqual(ft.replace, ['fc.weight', 'fc.bias']);
    const head = ft.heads[0]!;
    assert.equal(head.pooling, 'GlobalAveragePool → Flatten');
    assert.equal(head.cut.features, 16);
    assert.equal(head.outputCount, 5);
    assert.deepEqual(head.cut.equivalents, ['/GlobalAveragePool_out'], 'a cut before the Flatten is equivalent');
  });

  test('SqueezeNet-style 1×1 Conv head followed by ReLU and pooling is a classifier with a He-initialized new head', () => {
    const g = new GraphBuilder();
    let x = g.input('x', [1, 4, 8, 8]);
    x = g.node('Conv', [x, g.weight('features.0.weight', [6, 4, 3, 3])], '/features/features.0/Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    x = g.node('Relu', [x], '/features/features.1/Relu');
    const cut = x;
    x = g.node('Conv', [x, g.weight('classifier.1.weight', [7, 6, 1, 1]), g.weight('classifier.1.bias', [7])], '/classifier/classifier.1/Conv', { kernel_shape: [1, 1] });
    x = g.node('Relu', [x], '/classifier/classifier.2/Relu');
    x = g.node('GlobalAveragePool', [x], '/classifier/classifier.3/GlobalAveragePool');
    x = g.node('Flatten', [x], '/Flatten', {}, ['out']);
    g.output(x);
    const ft = suggestFineTune(g.model(), { classes: 3 });
    assert.equal(ft.kind, 'classifier');
    assert.equal(ft.cut!.tensor, cut);
    assert.deepEqual(ft.replace, ['classifier.1.weight', 'classifier.1.bias']);
    const nh = ft.newHead!;
    assert.deepEqual(nh.shape, [3, 6, 1, 1]);
    assert.equal(nh.layer, 'Conv2d(1×1)');
    assert.equal(nh.recommended.scheme, 'kaiming_normal');
    assert.ok(Math.abs(nh.recommended.std! - Math.sqrt(2 / 6)) < 1e-15);
    assert.match(nh.alternative.reason, /not advisable/);
  });

  test('LM head: MatMul to the vocabulary, tied to the token embedding (checked on values)', () => {
    const g = new GraphBuilder();
    const ids = g.input('idx', [1, 5], 7);
    const V = 11, d = 4;
    const emb = Float32Array.from({ length: V * d }, (_, i) => Math.sin(i + 1));
    const embT = new Float32Array(d * V);
    for (let v = 0; v < V; v++) for (let k = 0; k < d; k++) embT[k * V + v] = emb[v * d + k]!;
    g.tensor({ name: 'wte.weight', dataType: F, dims: [V, d], values: emb });
    g.tensor({ name: 'onnx::MatMul_9', dataType: F, dims: [d, V], values: embT });
    let x = g.node('Gather', ['wte.weight', ids], '/wte/Gather');
    x = g.node('Relu', [x], '/h.0/Relu');
    x = g.node('MatMul', [x, 'onnx::MatMul_9'], '/lm_head/MatMul', undefined, ['logits']);
    g.output(x);
    const model = g.model();
    let checked = 0;
    const ft = suggestFineTune(model, {}, { transposedEqual: (a, b) => { checked++; return a.name === 'wte.weight' && b.name === 'onnx::MatMul_9'; } });
    assert.equal(ft.kind, 'lm_head');
    assert.equal(checked, 1);
    assert.deepEqual(ft.replace, ['onnx::MatMul_9']);
    assert.deepEqual(ft.heads[0]!.tiedTo, ['wte.weight']);
    assert.equal(ft.newHead!.recommended.scheme, 'tied');
    const untied = suggestFineTune(model, {}, { transposedEqual: () => false });
    assert.equal(untied.kind, 'lm_head');
    assert.deepEqual(untied.heads[0]!.tiedTo, [], 'values differ: not reported as tied');
  });

  test('generator: ConvTranspose → Tanh output gets no invented cut', () => {
    const g = new GraphBuilder();
    let x = g.input('z', [1, 8, 1, 1]);
    x = g.node('ConvTranspose', [x, g.weight('main.0.weight', [8, 4, 4, 4])], '/main/main.0/ConvTranspose', { kernel_shape: [4, 4] });
    x = g.node('Relu', [x], '/main/main.1/Relu');
    x = g.node('ConvTranspose', [x, g.weight('main.2.weight', [4, 3, 4, 4])], '/main/main.2/ConvTranspose', { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] });
    x = g.node('Tanh', [x], '/main/main.3/Tanh', undefined, ['img']);
    g.output(x);
    const ft = suggestFineTune(g.model());
    assert.equal(ft.kind, 'generator');
    assert.equal(ft.cut, null);
    assert.deepEqual(ft.replace, []);
    assert.equal(ft.newHead, null);
    assert.equal(ft.exportCommand, null);
    assert.deepEqual(ft.heads[0]!.initializers, ['main.2.weight']);
    assert.match(ft.rationale[0]!, /generator output/);
  });

  test('encoder–decoder (strided conv down, ConvTranspose up) is a dense prediction, not a generator', () => {
    const g = new GraphBuilder();
    let x = g.input('img', [1, 3, 8, 8]);
    x = g.node('Conv', [x, g.weight('enc.weight', [4, 3, 3, 3])], '/enc/Conv', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    x = g.node('Relu', [x], '/enc/Relu');
    x = g.node('ConvTranspose', [x, g.weight('dec.weight', [4, 1, 2, 2])], '/dec/ConvTranspose', { kernel_shape: [2, 2], strides: [2, 2] });
    x = g.node('Sigmoid', [x], '/Sigmoid', undefined, ['mask']);
    g.output(x);
    const ft = suggestFineTune(g.model());
    assert.equal(ft.kind, 'other');
    assert.equal(ft.cut, null);
    assert.match(ft.heads[0]!.reason, /encoder–decoder/);
  });

  test('several heads on one body are all reported; the classifier is primary', () => {
    const g = new GraphBuilder();
    let x = g.input('x', [2, 6]);
    x = g.node('Gemm', [x, g.weight('body.fc1.weight', [8, 6]), g.weight('body.fc1.bias', [8])], '/body/fc1/Gemm', { transB: 1 });
    x = g.node('Relu', [x], '/body/act1/Relu');
    const a = g.node('Gemm', [x, g.weight('cls.weight', [3, 8]), g.weight('cls.bias', [3])], '/cls/Gemm', { transB: 1 }, ['class_logits']);
    const s = g.node('Softmax', [a], '/Softmax', { axis: 1 }, ['probs']);
    const b = g.node('Gemm', [x, g.weight('box.weight', [4, 8])], '/box/Gemm', { transB: 1 }, ['boxes']);
    g.output(s);
    g.output(a);
    g.output(b);
    const ft = suggestFineTune(g.model());
    assert.equal(ft.heads.length, 2);
    assert.deepEqual(ft.heads[0]!.outputs, ['probs', 'class_logits']);
    assert.equal(ft.heads[0]!.followedBy, 'Softmax');
    assert.deepEqual(ft.heads[1]!.initializers, ['box.weight']);
    assert.deepEqual(ft.replace, ['cls.weight', 'cls.bias']);
    assert.equal(ft.cut!.tensor, x);
  });

  test('QDQ: the cut is the DequantizeLinear output; the float tensor before the pair is reported', () => {
    const g = new GraphBuilder();
    let x = g.input('input', [1, 3, 4, 4]);
    x = g.node('Conv', [x, g.weight('conv1.weight', [5, 3, 3, 3])], 'conv1', { kernel_shape: [3, 3] });
    x = g.node('GlobalAveragePool', [x], 'gap');
    x = g.node('Flatten', [x], 'flatten', {}, ['flat']);
    g.tensor({ name: 'act_scale', dataType: F, dims: [], values: [0.05] });
    g.tensor({ name: 'act_zp', dataType: 3, dims: [], values: [0] });
    const q = g.node('QuantizeLinear', [x, 'act_scale', 'act_zp'], 'act_Q', undefined, ['act_q']);
    const dq = g.node('DequantizeLinear', [q, 'act_scale', 'act_zp'], 'act_DQ', undefined, ['act_dq']);
    g.tensor({ name: 'fc.weight_quantized', dataType: 3, dims: [5, 2], values: [1, -2, 3, 4, -5, 6, 7, 8, 9, -10] });
    g.tensor({ name: 'fc.weight_scale', dataType: F, dims: [], values: [0.01] });
    g.tensor({ name: 'fc.weight_zero_point', dataType: 3, dims: [], values: [0] });
    const w = g.node('DequantizeLinear', ['fc.weight_quantized', 'fc.weight_scale', 'fc.weight_zero_point'], 'fc.weight_DQ', undefined, ['fc.weight_dq']);
    const mm = g.node('MatMul', [dq, w], 'fc_MatMul', undefined, ['mm']);
    g.node('Add', [mm, g.weight('fc.bias', [2])], 'fc_Add', undefined, ['logits']);
    g.output('logits');
    const ft = suggestFineTune(g.model());
    assert.equal(ft.kind, 'classifier');
    assert.deepEqual(ft.cut, { tensor: 'act_dq', node: 'act_DQ' });
    assert.equal(ft.heads[0]!.cut.floatTensor, 'flat');
    assert.deepEqual(ft.replace, ['fc.weight_quantized']);
    assert.deepEqual(ft.heads[0]!.alsoReplaced, ['fc.weight_scale', 'fc.weight_zero_point', 'fc.bias']);
    assert.deepEqual(ft.heads[0]!.cut.equivalents, ['act_q', 'flat', 'gap_out']);
  });

  test('no head: an output that is not produced by a weight layer through simple ops', () => {
    const g = new GraphBuilder();
    const a = g.input('a', [1, 3]);
    const b = g.input('b', [1, 3]);
    g.node('Concat', [a, b], 'cat', { axis: 1 }, ['y']);
    g.output('y');
    const ft = suggestFineTune(g.model());
    assert.equal(ft.kind, 'other');
    assert.equal(ft.cut, null);
    assert.deepEqual(ft.heads, []);
    assert.match(ft.rationale[0]!, /No head found/);
    assert.match(ft.snippetReason!, /no head found/);
  });
});
