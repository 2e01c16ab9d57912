// Builds Report objects for the format tests (no model needed), with every name replaceable so
// the hostile strings can be put in every slot a model string reaches.
import { REPORT_SCHEMA_VERSION, type Finding, type LayerReport, type Report, type TensorReport } from '../../../src/core/report/reportModel';

export interface SampleNames {
  path?: string;
  node?: string;
  weight?: string;
  op?: string;
  producer?: string;
  graph?: string;
  activation?: string;
  message?: string;
  code?: string;
  skipped?: string;
}

export function sampleLayer(index: number, names: SampleNames = {}, findings: Finding[] = []): LayerReport {
  const fanIn = [784, 392, 256][index] ?? 64;
  const std = Math.sqrt(2 / fanIn) * (index === 1 ? 0 : 1);
  return {
    id: `L${index}`,
    index,
    node: names.node ?? `fc${index}`,
    op: names.op ?? 'Gemm',
    weight: names.weight ?? `fc${index}.weight`,
    via: [],
    shape: [128, fanIn],
    dtype: 'float32',
    role: 'kernel',
    fanIn,
    fanOut: 128,
    fanConvention: 'pytorch',
    fanAlternatives: null,
    fanRule: `Gemm W[N=128, K=${fanIn}] transB=1: fan_in = ${fanIn}`,
    activation: names.activation ?? 'Relu',
    activationPath: ['Relu'],
    stats: {
      count: 128 * fanIn,
      finiteCount: 128 * fanIn,
      mean: 0,
      std,
      min: -3 * std,
      max: 3 * std,
      zeroCount: index === 1 ? 128 * fanIn : 0,
      zeroFraction: index === 1 ? 1 : 0,
      nanCount: 0,
      infCount: 0,
      excessKurtosis: 0.01,
    },
    histogram: null,
    recommended: {
      xavier: { std: Math.sqrt(2 / (fanIn + 128)), bound: Math.sqrt(6 / (fanIn + 128)) },
      he: { std: Math.sqrt(2 / fanIn), bound: Math.sqrt(6 / fanIn), fanOutStd: Math.sqrt(2 / 128) },
      lecun: { std: Math.sqrt(1 / fanIn), bound: Math.sqrt(3 / fanIn) },
      scheme: 'he',
      std: Math.sqrt(2 / fanIn),
      gain: Math.SQRT2,
      reason: 'followed by Relu → He',
    },
    ratio: index === 1 ? 0 : 1,
    matchedScheme: index === 1 ? { label: 'constant(0)', ratio: 0, score: 1 } : { label: 'he_normal', ratio: 1.0, score: 0.97 },
    schemeCandidates: [],
    looksTrained: false,
    verdict: 'fresh',
    channels: null,
    normalizedAfter: false,
    findings,
  };
}

/** A 3-layer MLP report: fc1 clean, fc2 all zero (error), fc3 with a warning; one skipped tensor. */
export function sampleReport(names: SampleNames = {}): Report {
  const zero: Finding = {
    code: names.code ?? 'weight-all-zero',
    severity: 'error',
    tensor: names.weight ?? 'fc1.weight',
    node: names.node ?? 'fc1',
    message: names.message ?? 'every weight is 0: all units compute the same function',
    data: { zeroFraction: 1 },
  };
  const low: Finding = { code: 'variance-too-low', severity: 'warning', tensor: 'fc2.weight', node: 'fc2', message: 'std is 0.10× the He std', data: { ratio: 0.1 } };
  const bias: Finding = { code: 'intentional-zero-bias', severity: 'info', tensor: 'fc0.bias', node: 'fc0', message: 'zero bias (PyTorch default for attention projections)', intentional: true };
  const layers = [sampleLayer(0, {}, [bias]), sampleLayer(1, names, [zero]), { ...sampleLayer(2, {}, [low]), ratio: 0.1 }];
  const skipped: TensorReport = {
    name: names.weight ?? 'ext.weight',
    shape: [4],
    dtype: 'float32',
    role: 'other',
    origin: 'initializer',
    uses: [],
    stats: null,
    skipped: names.skipped ?? 'external data refused: path-traversal (location "../../etc/passwd")',
    storage: 'external',
  };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'onnx-init', version: '0.1.0' },
    model: {
      path: names.path ?? 'models/mlp.onnx',
      fileSize: 1234,
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producer: { name: names.producer ?? 'pytorch', version: '2.5.0' },
      graphName: names.graph ?? 'main_graph',
      counts: { nodes: 5, initializers: 7, constantNodes: 0, subgraphs: 0, functions: 0, layers: 3 },
      parameterCount: 784 * 128 + 392 * 128 + 256 * 128,
      weightBytes: 4 * (784 * 128 + 392 * 128 + 256 * 128),
      verdict: 'fresh',
      verdictReason: 'all layers match a known initializer',
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 784] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 128] }],
    },
    options: { activation: 'auto', varianceTolerance: 0.5, maxElementsPerTensor: null },
    layers,
    tensors: [skipped],
    findings: [bias, zero, low],
    forecast: {
      points: layers.map((l, i) => ({ layerId: l.id, depth: i, gain: [1, 0.5, 0.01][i]!, cumulative: [1, 0.5, 0.005][i]! })),
      verdict: 'vanishing',
      startsAt: 2,
    },
  };
}
