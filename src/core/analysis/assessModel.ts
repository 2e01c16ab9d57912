import { ExternalDataError } from '../errors';
import { auditExternalData, isAlignmentPadding, type ExternalFileInfo } from '../onnx/externalDataAudit';
import { shownLocation } from '../onnx/externalLocation';
import type { TensorRef } from '../onnx/model';
import { checkTensorData, type TensorDataContext } from '../onnx/tensorValues';
import type { Finding, ModelSummary, VarianceForecast } from '../report/reportModel';
import { forecastFindings, layerFindings, tensorFindings } from './findings';
import { forecastVariance } from './forecast';
import type { ModelAnalysis } from './modelAnalysis';
import { globMatch, type AnalysisOptions } from './options';
import type { LayerInfo, TensorInfo } from './types';
import { judgeLayer, labelTensor, modelVerdict, resolveLabels } from './verdicts';

export interface Assessment {
  readonly verdict: { verdict: ModelSummary['verdict']; reason: string };
  readonly forecast: VarianceForecast;
  readonly findings: Finding[];
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

/**
 * Verdicts, labels, forecast and findings (with the user's severity overrides and ignore globs
 * applied). With `data` (where the tensor bytes come from), the external-data layout is audited
 * too: overlapping tensors and bytes of data files no tensor references.
 */
export function assessModel(a: ModelAnalysis, options: AnalysisOptions, data?: TensorDataContext): Assessment {
  for (const l of a.layers) judgeLayer(l);
  resolveLabels(a.layers);
  const verdict = modelVerdict(a.layers);
  const forecast = forecastVariance(a.layers, options.thresholds);

  const layersOfTensor = new Map<TensorInfo, LayerInfo[]>();
  for (const l of a.layers) layersOfTensor.set(l.tensor, [...(layersOfTensor.get(l.tensor) ?? []), l]);
  const byName = new Map<string, TensorInfo>();
  for (const t of a.tensors) if (!byName.has(t.entry.name)) byName.set(t.entry.name, t);
  const layersByNode = new Map<number, LayerInfo[]>();
  for (const l of a.layers) layersByNode.set(l.use.node.order, [...(layersByNode.get(l.use.node.order) ?? []), l]);
  const foldedNodes = new Set(a.layers.filter((l) => l.folded).map((l) => l.use.node.order));
  const layerFanIn = (t: TensorInfo): number | null => {
    const u = t.uses.find((x) => x.role === 'bias' || x.role === 'rnn_bias');
    if (u === undefined) return null;
    let l = layersByNode.get(u.use.node.order)?.[0];
    if (l === undefined && u.use.node.node.opType === 'Add') {
      // Bias added after a MatMul: the layer is the producer of the other operand.
      const other = u.use.node.node.inputs[1 - u.use.inputIndex] ?? '';
      const p = a.index.producerOf(other, u.use.node.scope);
      if (p !== undefined) l = layersByNode.get(p.order)?.[0];
    }
    if (u.role === 'rnn_bias') return l?.fan?.gates?.hidden ?? null;
    return l?.fan?.pytorch?.fanIn ?? l?.fan?.fanIn ?? null;
  };
  const roleOfInput = (t: TensorInfo): string | null => {
    const u = t.uses[0];
    if (u === undefined) return null;
    const x = u.use.node.node.inputs[0] ?? '';
    const owner = byName.get(x);
    if (owner === undefined) return 'activation_quant_param';
    return owner.role === 'bias' ? 'bias_quant_param' : 'weight_quant_param';
  };
  for (const t of a.tensors) {
    if (layersOfTensor.has(t)) continue;
    labelTensor(t, layerFanIn, (x) => x.uses.length > 0 && x.uses.every((u) => u.role === 'bias' && foldedNodes.has(u.use.node.order)), roleOfInput);
  }

  const biasOf = (l: LayerInfo): string | null => {
    const n = l.use.node.node;
    const slot = n.opType === 'Conv' || n.opType === 'ConvTranspose' || n.opType === 'Gemm' ? 2 : -1;
    const b = slot >= 0 ? n.inputs[slot] : undefined;
    if (b === undefined || b === '') return null;
    const owner = byName.get(b);
    return owner !== undefined && owner.uses.some((u) => u.use.node === l.use.node && u.use.inputIndex === slot) ? owner.entry.name : (a.tensors.find((t) => t.uses.some((u) => u.use.node === l.use.node && u.use.inputIndex === slot))?.entry.name ?? b);
  };

  const all: Finding[] = [];
  for (const t of a.tensors) {
    const mine = layersOfTensor.get(t) ?? [];
    const fs = tensorFindings(t, mine, a.layers, a.index, a.structure);
    const owner = mine[0];
    if (owner !== undefined) owner.findings.push(...fs);
    all.push(...fs);
  }
  for (const l of a.layers) {
    const fs = layerFindings(l, options, forecast, biasOf, verdict.verdict === 'trained' || verdict.verdict === 'mixed');
    l.findings.push(...fs);
    all.push(...fs);
  }
  all.push(...forecastFindings(forecast, a.layers));
  if (data !== undefined) all.push(...externalDataFindings(a, data));

  const apply = (fs: Finding[]): Finding[] => {
    const out: Finding[] = [];
    for (const f of fs) {
      if (f.tensor !== null && options.ignore.some((g) => globMatch(g, f.tensor as string))) continue;
      const o = options.severityOverrides[f.code];
      if (o === 'off') continue;
      out.push(o !== undefined ? { ...f, severity: o } : f);
    }
    return out;
  };
  for (const l of a.layers) l.findings.splice(0, l.findings.length, ...apply(l.findings));
  const findings = apply(all).sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity]);
  return { verdict, forecast, findings };
}

/** Unreferenced ranges / overlapping pairs whose byte ranges a finding's data lists at most. */
const MAX_RANGES_IN_DATA = 100;

/**
 * Findings on the external-data layout of the tensors that were read (or could be): one
 * `external-data-overlap` per pair of tensors sharing bytes (at most MAX_LISTED_OVERLAPS, then one
 * saying how many more), one `external-data-unreferenced` per data file with bytes no tensor uses
 * (alignment padding before an aligned tensor does not count).
 */
export function externalDataFindings(a: ModelAnalysis, data: TensorDataContext): Finding[] {
  const refs: TensorRef[] = [];
  for (const t of a.tensors) {
    if (t.refusal !== null) continue;
    // A tensor that was read has valid bounds; one that was not (skipped type) is checked here.
    const read = t.pass !== null;
    const add = (ref: TensorRef): void => {
      if (ref.storage.kind !== 'external' || (!read && checkTensorData(ref, data) !== undefined)) return;
      refs.push(ref.name === t.entry.name ? ref : { ...ref, name: t.entry.name });
    };
    add(t.entry.tensor);
    const indices = t.entry.sparse?.indices;
    if (indices !== undefined && indices.storage.kind === 'external' && checkTensorData(indices, data) === undefined) refs.push({ ...indices, name: `${t.entry.name} (indices)` });
  }
  if (refs.length === 0) return [];
  const fileInfo = (location: string): ExternalFileInfo => {
    try {
      const f = data.external.open(location);
      return { size: f.source.size, identity: f.identity };
    } catch (e) {
      if (e instanceof ExternalDataError) return undefined;
      throw e;
    }
  };
  const audit = auditExternalData(refs, fileInfo);
  const out: Finding[] = [];
  for (const o of audit.overlaps) {
    const file = shownLocation(o.a.location);
    out.push({
      code: 'external-data-overlap', severity: 'warning', tensor: o.b.tensor, node: null,
      message: `tensors "${o.a.tensor}" and "${o.b.tensor}" share ${o.length} bytes of external data file ${file} (bytes ${o.offset}–${o.offset + o.length}; "${o.a.tensor}" is ${o.a.offset}–${o.a.offset + o.a.length}, "${o.b.tensor}" ${o.b.offset}–${o.b.offset + o.b.length}): the same bytes are read as two tensors`,
      data: { file: o.a.location, tensors: [o.a.tensor, o.b.tensor], offset: o.offset, length: o.length, range: [o.offset, o.offset + o.length], rangeA: [o.a.offset, o.a.offset + o.a.length], rangeB: [o.b.offset, o.b.offset + o.b.length] },
    });
  }
  const more = audit.overlapCount - audit.overlaps.length;
  if (more > 0) {
    out.push({
      code: 'external-data-overlap', severity: 'warning', tensor: null, node: null,
      message: `${more} more overlapping pairs of external-data tensors are not listed (${audit.overlapCount} pairs in all; the first ${audit.overlaps.length} are)`,
      data: { omitted: more, total: audit.overlapCount },
    });
  }
  for (const f of audit.files) {
    const gaps = f.unreferenced.filter((g) => !isAlignmentPadding(g, f.size));
    if (gaps.length === 0) continue;
    const bytes = gaps.reduce((n, g) => n + g.length, 0);
    const shown = gaps.slice(0, MAX_RANGES_IN_DATA);
    const first = gaps[0] as { offset: number; length: number };
    out.push({
      code: 'external-data-unreferenced', severity: 'info', tensor: null, node: null,
      message: `${bytes} of the ${f.size ?? '?'} bytes of external data file ${shownLocation(f.location)} are not referenced by any tensor (${gaps.length} range${gaps.length === 1 ? '' : 's'}, first at bytes ${first.offset}–${first.offset + first.length})`,
      data: { file: f.location, fileSize: f.size ?? null, bytes, ranges: gaps.length, offsets: shown.map((g) => g.offset), lengths: shown.map((g) => g.length) },
    });
  }
  return out;
}
