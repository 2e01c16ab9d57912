// Small writer-built graphs for the fine-tune unit tests: seeded weights, real ONNX bytes, parsed
// back with our reader, so the tests exercise the same path as a model file.
import { bytesSource } from '../../../src/core/host';
import { DataType, type OnnxModel } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import type { ModelSpec, NodeSpec, TensorSpec, ValueInfoSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { normalValues, Rng } from '../../support/modelBuilders';

export const F = DataType.FLOAT;

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  readonly inputs: ValueInfoSpec[] = [];
  readonly outputs: ValueInfoSpec[] = [];
  private readonly rng: Rng;
  constructor(seed = 7) {
    this.rng = new Rng(seed);
  }
  input(name: string, shape: (number | string)[], elemType: number = F): string {
    this.inputs.push({ name, elemType, shape });
    return name;
  }
  weight(name: string, dims: number[], std = 0.1): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.initializers.push({ name, dataType: F, dims, values: normalValues(n, std, this.rng) });
    return name;
  }
  tensor(t: TensorSpec): string {
    this.initializers.push(t);
    return t.name!;
  }
  node(opType: string, inputs: string[], name: string, attributes?: NodeSpec['attributes'], outputs?: string[]): string {
    const outs = outputs ?? [`${name}_out`];
    this.nodes.push({ opType, inputs, outputs: outs, name, ...(attributes ? { attributes } : {}) });
    return outs[0]!;
  }
  output(name: string, elemType: number = F, shape?: (number | string)[]): void {
    this.outputs.push({ name, elemType, ...(shape ? { shape } : {}) });
  }
  spec(opset = 17): ModelSpec {
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: opset }],
      producerName: 'finetune-test',
      graph: { name: 'g', nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
    };
  }
  bytes(opset = 17): Uint8Array {
    return encodeModel(this.spec(opset));
  }
  model(opset = 17): OnnxModel {
    return parseModel(bytesSource(this.bytes(opset)));
  }
}

/**
 * A torchvision-like ResNet in miniature: stem conv1+bn1, layer1 (2 blocks), layer2 (2 blocks,
 * first strided with a downsample), GlobalAveragePool → Flatten → fc (Gemm transB=1).
 */
export function tinyResNet(classes = 5): GraphBuilder {
  const g = new GraphBuilder(11);
  let x = g.input('input', ['N', 3, 16, 16]);
  const convBn = (prefix: string, scope: string, cin: number, cout: number, k: number, stride: number, relu: boolean, inp: string): string => {
    const w = g.weight(`${prefix}.weight`, [cout, cin, k, k], Math.sqrt(2 / (cin * k * k)));
    let y = g.node('Conv', [inp, w], `${scope}/Conv`, { kernel_shape: [k, k], pads: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0], strides: [stride, stride] });
    const bnPrefix = prefix.replace(/conv(\d*)$/, 'bn$1').replace(/downsample\.0$/, 'downsample.1');
    const bnScope = scope.replace(/conv(\d*)$/, 'bn$1').replace(/downsample\.0$/, 'downsample.1');
    const ones = g.tensor({ name: `${bnPrefix}.weight`, dataType: F, dims: [cout], values: new Float32Array(cout).fill(1) });
    const zeros = g.tensor({ name: `${bnPrefix}.bias`, dataType: F, dims: [cout], values: new Float32Array(cout) });
    const mean = g.tensor({ name: `${bnPrefix}.running_mean`, dataType: F, dims: [cout], values: new Float32Array(cout) });
    const v = g.tensor({ name: `${bnPrefix}.running_var`, dataType: F, dims: [cout], values: new Float32Array(cout).fill(1) });
    y = g.node('BatchNormalization', [y, ones, zeros, mean, v], `${bnScope}/BatchNormalization`);
    return relu ? g.node('Relu', [y], `${scope}/Relu`) : y;
  };
  x = convBn('conv1', '/conv1', 3, 8, 3, 1, true, x);
  const block = (layer: string, i: number, cin: number, cout: number, stride: number, inp: string): string => {
    const p = `${layer}.${i}`, s = `/${layer}/${layer}.${i}`;
    let y = convBn(`${p}.conv1`, `${s}/conv1`, cin, cout, 3, stride, true, inp);
    y = convBn(`${p}.conv2`, `${s}/conv2`, cout, cout, 3, 1, false, y);
    const skip = stride !== 1 || cin !== cout ? convBn(`${p}.downsample.0`, `${s}/downsample/downsample.0`, cin, cout, 1, stride, false, inp) : inp;
    const sum = g.node('Add', [y, skip], `${s}/Add`);
    return g.node('Relu', [sum], `${s}/relu_1/Relu`);
  };
  x = block('layer1', 0, 8, 8, 1, x);
  x = block('layer1', 1, 8, 8, 1, x);
  x = block('layer2', 0, 8, 16, 2, x);
  x = block('layer2', 1, 16, 16, 1, x);
  x = g.node('GlobalAveragePool', [x], '/GlobalAveragePool');
  x = g.node('Flatten', [x], '/Flatten', { axis: 1 });
  const w = g.weight('fc.weight', [classes, 16], 0.01);
  const b = g.tensor({ name: 'fc.bias', dataType: F, dims: [classes], values: new Float32Array(classes) });
  const logits = g.node('Gemm', [x, w, b], '/fc/Gemm', { transB: 1 }, ['logits']);
  g.output(logits, F, ['N', classes]);
  return g;
}
