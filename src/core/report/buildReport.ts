import type { ModelAnalysis } from '../analysis/modelAnalysis';
import type { AnalysisOptions } from '../analysis/options';
import type { LayerInfo, TensorInfo } from '../analysis/types';
import { conventionsDiffer } from '../analysis/fanRules';
import { activationName } from '../analysis/gains';
import { distributionName } from '../analysis/fingerprint';
import { dataTypeName } from '../onnx/dataTypes';
import type { Graph, TypeInfo } from '../onnx/model';
import type { TensorStats } from '../stats/tensorStats';
import { REPORT_SCHEMA_VERSION, type Finding, type LayerReport, type ModelSummary, type Report, type TensorReport, type TensorStatsReport, type VarianceForecast } from './reportModel';

/** Tool version written into reports. */
export const TOOL_VERSION = '0.1.0';

const num = (x: number | undefined | null): number | null => (x === undefined || x === null || !Number.isFinite(x) ? null : x);

/** JSON-safe statistics (NaN/Inf → null). */
export function statsReport(s: TensorStats, sampled: boolean): TensorStatsReport {
  return {
    count: s.count,
    finiteCount: s.finiteCount,
    mean: num(s.mean),
    std: num(s.std),
    min: num(s.min),
    max: num(s.max),
    zeroCount: s.zeroCount,
    zeroFraction: s.count > 0 ? s.zeroCount / s.count : null,
    nanCount: s.nanCount,
    infCount: s.posInfCount + s.negInfCount,
    excessKurtosis: num(s.excessKurtosis),
    ...(sampled ? { sampled: true } : {}),
  };
}

function storageText(t: TensorInfo): string {
  const s = t.entry.tensor.storage;
  switch (s.kind) {
    case 'raw': return `inline raw_data @${s.offset} (${s.length} bytes)`;
    case 'typed': return `inline ${s.field} (${s.segments.length} segment${s.segments.length === 1 ? '' : 's'})`;
    case 'external': return `external ${JSON.stringify(s.location)} @${s.offset}${s.length !== undefined ? ` (${s.length} bytes)` : ' (to end of file)'}`;
    case 'inline-values': return 'Constant attribute values';
    default: return 'no data';
  }
}

function layerReport(l: LayerInfo, inProgress: boolean): LayerReport {
  const t = l.tensor;
  const p = t.pass;
  const s = p?.stats;
  const fan = l.fan;
  const best = l.fp?.matches[0];
  const stats = s !== undefined ? statsReport(s, p?.sampled === true) : statsReport({ count: t.entry.tensor.elementCount, finiteCount: 0, mean: NaN, std: NaN, min: NaN, max: NaN, absMean: NaN, rms: NaN, excessKurtosis: NaN, zeroCount: 0, nanCount: 0, posInfCount: 0, negInfCount: 0 }, false);
  const ch = p?.channels ?? null;
  return {
    id: l.id,
    index: l.index,
    node: l.use.node.label,
    op: l.use.node.node.opType,
    weight: t.entry.name,
    via: l.use.via,
    shape: l.use.shape,
    dtype: t.dtype,
    role: l.role,
    fanIn: fan?.fanIn ?? null,
    fanOut: fan?.fanOut ?? null,
    fanConvention: fan?.convention ?? 'pytorch',
    fanAlternatives: fan !== null && conventionsDiffer(fan) ? { pytorch: fan.pytorch, dataflow: fan.dataflow } : null,
    fanRule: fan?.rule ?? 'no fan rule for this use',
    activation: activationName(l.act.activation),
    activationPath: l.act.path,
    ...(l.act.output !== undefined ? { activationOutput: l.act.output } : {}),
    stats,
    histogram: p?.histogram ?? null,
    recommended: l.rec,
    ratio: s !== undefined && l.rec.std !== null && l.rec.std > 0 ? num(s.std / l.rec.std) : null,
    matchedScheme: l.label !== null ? { label: l.label, ratio: best?.ratio ?? 1, score: best?.score ?? 0 } : null,
    schemeCandidates: l.fp?.candidates ?? [],
    looksTrained: l.looksTrained,
    verdict: l.verdict,
    channels: ch === null || p?.channels === undefined ? null : {
      axis: l.fan?.outputAxis ?? 0, count: ch.count, stdMin: num(ch.stdMin), stdMax: num(ch.stdMax), stdMedian: num(ch.stdMedian), dead: ch.dead, identical: ch.identical,
      stdSpread: num(ch.stdSpread), pooledKurtosis: num(ch.pooledKurtosis),
    },
    normalizedAfter: l.act.normalizedAfter,
    findings: l.findings,
    // Additive fields (optional in the schema).
    ...{
      inputIndex: l.use.inputIndex,
      roleDetail: l.roleDetail,
      verdictReason: l.verdictReason,
      labelEquivalents: l.equivalents,
      head: l.head,
      inResidualBranch: l.inResidualBranch,
      fanGates: fan?.gates ?? null,
      gateStats: l.gateStats,
      storedStats: p?.storedStats !== undefined ? statsReport(p.storedStats, p.sampled) : null,
      sharedWith: [] as string[],
      distribution: distributionName(l.fp?.shape ?? 'any'),
      ...(inProgress && p === null && t.refusal === null && t.skipped === null ? { pending: true } : {}),
    },
  };
}

function tensorReport(t: TensorInfo): TensorReport {
  const p = t.pass;
  return {
    name: t.entry.name,
    shape: t.entry.sparse?.dims ?? t.entry.tensor.dims,
    dtype: t.dtype,
    role: t.role,
    origin: t.entry.origin,
    uses: t.uses.map((u) => ({ node: u.use.node.label, op: u.use.node.node.opType, inputIndex: u.use.inputIndex, role: u.role })),
    stats: p !== null ? statsReport(p.stats, p.sampled) : null,
    skipped: t.refusal !== null ? `refused (${t.refusal.rule}): ${t.refusal.message}` : t.skipped,
    storage: storageText(t),
    roles: t.roles,
    label: t.label,
    labelEquivalents: t.labelEquivalents,
    graph: t.entry.graphPath,
    storedStats: p?.storedStats !== undefined ? statsReport(p.storedStats, p.sampled) : null,
  };
}

function typeOf(t: TypeInfo | undefined): { dtype: string; shape: (number | string | null)[] } {
  if (t === undefined || (t.kind !== 'tensor' && t.kind !== 'sparse_tensor')) return { dtype: t?.kind ?? 'unknown', shape: [] };
  return { dtype: dataTypeName(t.elemType), shape: [...(t.shape ?? [])] };
}

function countSubgraphs(g: Graph, depth = 0): number {
  if (depth > 64) return 0;
  let n = 0;
  for (const node of g.nodes) {for (const a of node.attributes) {
    if (a.value.type === 'graph') n += 1 + countSubgraphs(a.value.value, depth + 1);
    else if (a.value.type === 'graphs') for (const sg of a.value.value) n += 1 + countSubgraphs(sg, depth + 1);
  }}
  return n;
}

/**
 * Assembles the JSON report from the analysis. `inProgress`: a partial report while tensors are
 * still being read (their layers are marked `pending`).
 */
export function buildReport(a: ModelAnalysis, path: string, options: AnalysisOptions, verdict: { verdict: ModelSummary['verdict']; reason: string }, forecast: VarianceForecast, findings: readonly Finding[], { inProgress = false } = {}): Report {
  const m = a.model;
  const layerTensors = new Set(a.layers.map((l) => l.tensor));
  const layers = a.layers.map((l) => layerReport(l, inProgress));
  const byTensor = new Map<string, string[]>();
  for (const l of layers) byTensor.set(l.weight, [...(byTensor.get(l.weight) ?? []), l.id]);
  const shared = layers.map((l) => ({ ...l, sharedWith: (byTensor.get(l.weight) ?? []).filter((id) => id !== l.id) }));
  const paramCount = a.tensors.filter((t) => t.isFloat || t.uses.some((u) => u.use.dequant !== undefined)).reduce((s, t) => s + t.entry.tensor.elementCount, 0);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'onnx-init', version: TOOL_VERSION },
    model: {
      path,
      fileSize: m.fileSize,
      irVersion: m.irVersion,
      opsets: m.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
      producer: { name: m.producerName, version: m.producerVersion },
      graphName: m.graph.name,
      counts: {
        nodes: a.index.nodes.length,
        initializers: a.tensors.filter((t) => t.entry.origin === 'initializer' || t.entry.origin === 'sparse-initializer').length,
        constantNodes: a.tensors.filter((t) => t.entry.origin === 'constant-node' || t.entry.origin === 'function-constant').length,
        subgraphs: countSubgraphs(m.graph),
        functions: m.functions.length,
        layers: layers.length,
      },
      parameterCount: paramCount,
      weightBytes: a.tensors.reduce((s, t) => s + t.byteSize, 0),
      verdict: verdict.verdict,
      verdictReason: verdict.reason,
      inputs: m.graph.inputs.filter((v) => !a.isConst(v.name, m.graph.path)).map((v) => ({ name: v.name, ...typeOf(v.type) })),
      outputs: m.graph.outputs.map((v) => ({ name: v.name, ...typeOf(v.type) })),
    },
    options: { activation: options.activation, varianceTolerance: options.varianceTolerance, maxElementsPerTensor: options.maxElementsPerTensor },
    layers: shared,
    tensors: a.tensors.filter((t) => !layerTensors.has(t)).map(tensorReport),
    findings,
    forecast,
  };
}
