// A small hand-made Report (two Gemm layers, one all-zero) for adapter tests: the adapter's job is
// mapping, so the numbers only need to be recognisable, not computed.
import type { Finding, LayerReport, Report } from '../../src/core/report/reportModel';

const stats = (std: number, zeros: number) => ({
  count: 8192, finiteCount: 8192, mean: 0, std, min: -std * 3, max: std * 3, zeroCount: zeros,
  zeroFraction: zeros / 8192, nanCount: 0, infCount: 0, excessKurtosis: 0.04,
});

function layer(index: number, weight: string, node: string, std: number, findings: Finding[]): LayerReport {
  return {
    id: `L${index}`, index, node, op: 'Gemm', weight, via: [], shape: [128, 64], dtype: 'float32', role: 'weight',
    fanIn: 64, fanOut: 128, fanConvention: 'pytorch', fanAlternatives: null, fanRule: 'Gemm transB=1, B[N,K]: fan_in=K',
    activation: 'Relu', activationPath: ['Relu:r1'], stats: stats(std, std === 0 ? 8192 : 0), histogram: null,
    recommended: { xavier: { std: 0.1021, bound: 0.1768 }, he: { std: 0.1768, bound: 0.3062, fanOutStd: 0.125 }, lecun: { std: 0.125, bound: 0.2165 }, scheme: 'he', std: 0.1767766952966369, gain: Math.SQRT2, reason: 'followed by Relu → He' },
    ratio: std / 0.1767766952966369, matchedScheme: std ? { label: 'he_normal', ratio: 1.0078, score: 0.97 } : null,
    schemeCandidates: [], looksTrained: false, verdict: 'fresh', channels: null, normalizedAfter: false, findings,
  };
}

export const ZERO: Finding = { code: 'weight-all-zero', severity: 'error', tensor: 'body.fc2.weight', node: '/body/fc2/Gemm', message: 'all 8192 values are 0' };
export const BIAS: Finding = { code: 'bias-constant', severity: 'info', tensor: 'body.fc2.bias', node: null, message: 'bias is constant' };
export const MODEL: Finding = { code: 'model-fresh', severity: 'hint', tensor: null, node: null, message: 'looks freshly initialized' };
export const FORECAST: Finding = { code: 'activation-vanishes-forecast', severity: 'warning', tensor: null, node: '/body/fc2/Gemm', message: 'vanishes from depth 1' };

export function makeReport(): Report {
  return {
    schemaVersion: 1, tool: { name: 'onnx-init', version: '0.1.0' },
    model: {
      path: '/ws/m.onnx', fileSize: 1000, irVersion: 8, opsets: [{ domain: '', version: 17 }], producer: { name: 'pytorch', version: '2' },
      graphName: 'g', counts: { nodes: 4, initializers: 4, constantNodes: 0, subgraphs: 0, functions: 0, layers: 2 },
      parameterCount: 16384, weightBytes: 65536, verdict: 'fresh', verdictReason: 'all layers match an init scheme',
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 64] }], outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 128] }],
    },
    options: { activation: 'auto', varianceTolerance: 0.5, maxElementsPerTensor: null },
    layers: [layer(0, 'body.fc1.weight', '/body/fc1/Gemm', 0.1782, []), layer(1, 'body.fc2.weight', '/body/fc2/Gemm', 0, [ZERO])],
    tensors: [{ name: 'body.fc2.bias', shape: [128], dtype: 'float32', role: 'bias', origin: 'initializer', uses: [], stats: stats(0.01, 0), skipped: null, storage: 'inline' }],
    findings: [MODEL, ZERO, BIAS, FORECAST],
    forecast: { points: [], verdict: 'unknown', startsAt: null },
  };
}
