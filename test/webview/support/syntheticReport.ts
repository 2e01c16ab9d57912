// A generated Report of any size (deterministic), for the 10,000-layer benchmark and for the
// hostile-names test, where no real model of that shape exists. Values are self-consistent
// (recommended std from the fans, ratio = measured ÷ recommended, histogram of that std).
import type { FineTuneReport } from '../../../src/core/finetune/fineTuneModel';
import type { Finding, LayerReport, Report } from '../../../src/core/report/reportModel';
import { REPORT_SCHEMA_VERSION } from '../../../src/core/report/reportModel';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const erf = (x: number): number => {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
};

export interface SyntheticOptions {
  readonly layers: number;
  /** Overrides node names (hostile-names test). */
  readonly names?: (i: number) => string;
  readonly seed?: number;
}

export function syntheticReport(o: SyntheticOptions): Report {
  const rand = rng(o.seed ?? 1);
  const layers: LayerReport[] = [];
  const findings: Finding[] = [];
  let cumulative = 1;
  const points: Report['forecast']['points'][number][] = [];
  for (let i = 0; i < o.layers; i++) {
    const conv = i % 3 !== 2;
    const cin = 16 << (i % 4), cout = 16 << ((i + 1) % 4);
    const k = conv ? 3 : 1;
    const fanIn = cin * k * k, fanOut = cout * k * k;
    const he = Math.SQRT2 / Math.sqrt(fanIn);
    const xavier = Math.sqrt(2 / (fanIn + fanOut));
    const ratio = i % 17 === 5 ? 4.2 : i % 23 === 7 ? 0.08 : 0.85 + rand() * 0.3;
    const std = he * ratio;
    const count = cout * fanIn;
    const bins = 48;
    const min = -4 * std, max = 4 * std, w = (max - min) / bins;
    const counts = Array.from({ length: bins }, (_, b) => {
      const a = (min + b * w) / (std * Math.SQRT2), c = (min + (b + 1) * w) / (std * Math.SQRT2);
      return Math.round(count * 0.5 * (erf(c) - erf(a)));
    });
    const node = o.names ? o.names(i) : `/backbone/block${Math.floor(i / 3)}/${conv ? 'conv' : 'fc'}${i % 3}/${conv ? 'Conv' : 'Gemm'}`;
    const weight = o.names ? `${o.names(i)}.weight` : `backbone.block${Math.floor(i / 3)}.${conv ? 'conv' : 'fc'}${i % 3}.weight`;
    const lf: Finding[] = [];
    if (ratio > 2 || ratio < 0.5) {
      const f: Finding = { code: 'wrong-variance', severity: ratio < 0.1 ? 'error' : 'warning', tensor: weight, node,
        message: `std ${std.toPrecision(3)} is ${ratio.toPrecision(3)}× the He std ${he.toPrecision(3)} for fan_in ${fanIn}`, data: { ratio, expected: he, actual: std } };
      lf.push(f);
      findings.push(f);
    }
    layers.push({
      id: `L${i}`, index: i, node, op: conv ? 'Conv' : 'Gemm', weight, via: [], shape: conv ? [cout, cin, k, k] : [cout, cin], dtype: 'float32', role: 'weight',
      fanIn, fanOut, fanConvention: 'pytorch', fanAlternatives: null,
      fanRule: conv ? `Conv W[M=${cout}, C/g=${cin}, ${k}×${k}]: fan_in = ${cin}·${k * k} = ${fanIn}, fan_out = ${cout}·${k * k} = ${fanOut}` : `Gemm W[N=${cout}, K=${cin}] (transB=1): fan_in = ${cin}, fan_out = ${cout}`,
      activation: 'Relu', activationPath: ['Relu'],
      stats: { count, finiteCount: count, mean: 0, std, min: -3.9 * std, max: 3.9 * std, zeroCount: 0, zeroFraction: 0, nanCount: 0, infCount: 0, excessKurtosis: 0.01 },
      histogram: { min, max, counts },
      recommended: { xavier: { std: xavier, bound: Math.sqrt(3) * xavier }, he: { std: he, bound: Math.sqrt(3) * he, fanOutStd: Math.SQRT2 / Math.sqrt(fanOut) }, lecun: { std: 1 / Math.sqrt(fanIn), bound: Math.sqrt(3 / fanIn) },
        scheme: 'he', std: he, gain: Math.SQRT2, reason: 'followed by Relu → He' },
      ratio, matchedScheme: { label: 'he_normal', ratio, score: 0.9 }, schemeCandidates: [{ label: 'he_normal', ratio, score: 0.9 }],
      looksTrained: false, verdict: 'fresh',
      channels: { axis: 0, count: cout, stdMin: std * 0.9, stdMax: std * 1.1, stdMedian: std, dead: [], identical: [] },
      normalizedAfter: false, findings: lf,
    });
    const gain = fanIn * std * std / 2;
    cumulative *= gain;
    points.push({ layerId: `L${i}`, depth: i, gain, cumulative });
  }
  const headIndex = o.layers - 1;
  const stages = [0, 1, 2, 3].map((s) => {
    const lo = Math.floor((s * (o.layers - 1)) / 4), hi = Math.floor(((s + 1) * (o.layers - 1)) / 4);
    const inits = layers.slice(lo, hi).map((l) => l.weight);
    return { index: s, name: s === 0 ? 'stem' : `stage ${s}`, label: `block${lo}–${hi}`, prefixes: [], initializers: inits, layers: inits.length, parameters: inits.length * 1000,
      boundary: s === 0 ? 'input' : 'resolution /2 (stride-2 Conv)', verdicts: { fresh: inits.length, trained: 0, bnFolded: 0, unknown: 0 }, looksUntrained: true };
  });
  const head = layers[headIndex]!;
  const fineTune: FineTuneReport = {
    kind: 'classifier', cut: { tensor: 'features', node: layers[headIndex - 1]?.node ?? null }, replace: [head.weight], freeze: stages.slice(0, 3).flatMap((s) => s.initializers), freezeBy: 'name',
    stages, transferable: true,
    transferability: { backbone: 'trained', head: 'trained', message: 'The backbone looks trained: its features are worth transferring.', untrainedStages: [] },
    newHead: { shape: [10, head.fanIn ?? 1], fanIn: head.fanIn ?? 1, fanOut: 10, classes: 10, classesFrom: 'option', layer: 'Linear', followedBy: 'none',
      recommended: { scheme: 'xavier_normal', std: Math.sqrt(2 / ((head.fanIn ?? 1) + 10)), uniformBound: Math.sqrt(6 / ((head.fanIn ?? 1) + 10)), reason: 'logits (no activation): Xavier keeps the output variance' },
      alternative: { scheme: 'zeros', std: null, uniformBound: null, reason: 'zero head: LP starts from uniform predictions' } },
    plan: (['tiny', 'small', 'medium', 'large'] as const).flatMap((d) => (['similar', 'different'] as const).map((dom) => ({
      datasetSize: d, domain: dom, summary: d === 'small' && dom === 'similar' ? 'freeze stem + stages 1–2, fine-tune stage 3 + new head' : `${d}/${dom} plan`,
      frozenStages: d === 'small' && dom === 'similar' ? ['stem', 'stage 1', 'stage 2'] : ['stem'], trainableStages: ['stage 3'],
      steps: ['LP: train the new head alone (5 epochs)', 'FT: unfreeze stage 3 with discriminative learning rates'],
      learningRates: [{ group: 'stage 3', lr: 1e-4 }, { group: 'new head', lr: 1e-3 }], reasoning: 'Small data from a similar domain: keep the general low-level features frozen.', selected: d === 'small' && dom === 'similar' }))),
    selected: { datasetSize: 'small', domain: 'similar' }, rationale: ['Yosinski et al. 2014: early layers are general.'], heads: [], modalityHint: null,
    snippet: 'model.fc = torch.nn.Linear(512, 10)\ntorch.nn.init.xavier_normal_(model.fc.weight)\n', snippetReason: null, exportCommand: 'onnx-init cut model.onnx --at features --out backbone.onnx', references: ['arXiv 1411.1792'],
  };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION, tool: { name: 'onnx-init', version: '0.1.0' },
    model: { path: '/models/synthetic.onnx', fileSize: 1e8, irVersion: 9, opsets: [{ domain: '', version: 17 }], producer: { name: 'pytorch', version: '2.5' }, graphName: 'main_graph',
      counts: { nodes: o.layers * 2, initializers: o.layers, constantNodes: 0, subgraphs: 0, functions: 0, layers: o.layers }, parameterCount: o.layers * 20000, weightBytes: o.layers * 80000,
      verdict: 'fresh', verdictReason: 'most layers match He normal', inputs: [], outputs: [] },
    options: { activation: 'auto', varianceTolerance: 2, maxElementsPerTensor: null },
    layers, tensors: [], findings, forecast: { points, verdict: 'stable', startsAt: null }, fineTune,
  };
}
