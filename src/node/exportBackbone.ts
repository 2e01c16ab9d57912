import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { extractBackbone, type BackboneSummary } from '../core/finetune/extractBackbone';
import { ExternalDataError } from '../core/errors';
import type { ExternalFile } from '../core/host';
import { parseModel } from '../core/onnx/parseModel';
import type { AttrSpec, GraphSpec, ModelSpec, NodeSpec, TensorSpec } from '../core/onnx/writer/modelSpec';
import { lazyRange } from '../core/onnx/writer/specFromModel';
import { writeModel } from '../core/onnx/writer/writeModel';
import { atomicWrite, RefusedTargetError } from './atomicWrite';
import { createExternalDataHost } from './externalDataHost';
import { openFileSource } from './fileSource';

export interface ExportBackboneOptions {
  /** Also keep these tensors as outputs (tests compare a cut against the full model). */
  readonly keepOutputs?: readonly string[];
}

export interface ExportBackboneResult extends BackboneSummary {
  readonly outPath: string;
  readonly bytes: number;
  /** How external data was handled: none, referenced in place (same folder), or copied to a new file. */
  readonly externalData: { readonly mode: 'none' } | { readonly mode: 'referenced'; readonly files: readonly string[] } | { readonly mode: 'copied'; readonly file: string; readonly bytes: number };
}

/**
 * Writes `outPath`: a new ONNX model computing `cutTensor` of the model at `modelPath` (see
 * `extractBackbone`). External data is re-referenced when the output lands in the model's own
 * folder (the same relative locations, each re-checked by the containment rules); otherwise the
 * needed tensors are copied into `<out>.data` beside the output, so nothing is ever written into
 * or next to the source model unless the output goes there. Both files are written atomically and
 * neither may be the model or one of its data files.
 */
export function exportBackbone(modelPath: string, cutTensor: string, outPath: string, options: ExportBackboneOptions = {}): ExportBackboneResult {
  const source = openFileSource(modelPath);
  const host = createExternalDataHost(modelPath);
  try {
    const model = parseModel(source);
    const ctx = { model: source, external: host };
    const { spec, summary } = extractBackbone(model, cutTensor, ctx, { externalData: 'keep', ...(options.keepOutputs ? { keepOutputs: options.keepOutputs } : {}) });
    const outAbs = resolve(outPath);
    const external = collectExternal(spec);
    const opened = new Map<string, ExternalFile>();
    for (const t of external) {
      // Opening re-applies the containment rules; a refused location refuses the whole export.
      if (!opened.has(t.external.location)) opened.set(t.external.location, host.open(t.external.location));
      const size = opened.get(t.external.location)!.source.size;
      const offset = t.external.offset ?? 0;
      if (offset > size || (t.external.length !== undefined && offset + t.external.length > size)) {
        throw new ExternalDataError(t.external.location, 'out-of-bounds', `tensor ${JSON.stringify(t.name ?? '')}: external data range ${offset}+${t.external.length ?? 'rest'} lies beyond the end of ${JSON.stringify(t.external.location)} (${size} bytes)`);
      }
    }
    const protect = [resolve(modelPath), ...host.openedPaths];
    let result: ExportBackboneResult['externalData'] = { mode: 'none' };
    let finalSpec = spec;
    if (external.length) {
      if (sameFolder(dirname(outAbs), dirname(resolve(modelPath)))) {
        result = { mode: 'referenced', files: [...opened.keys()] };
      } else {
        const dataName = `${basename(outAbs)}.data`;
        const dataPath = resolve(dirname(outAbs), dataName);
        const placed = new Map<TensorSpec, { offset: number; length: number }>();
        let offset = 0;
        for (const t of external) {
          const file = opened.get(t.external.location)!;
          const length = t.external.length ?? file.source.size - (t.external.offset ?? 0);
          placed.set(t, { offset, length });
          offset += length;
          offset = Math.ceil(offset / 64) * 64; // 64-byte alignment so readers may map tensors directly
        }
        const bytes = atomicWrite(dataPath, (sink) => {
          let at = 0;
          for (const t of external) {
            const p = placed.get(t)!;
            if (p.offset > at) sink(new Uint8Array(p.offset - at));
            const file = opened.get(t.external.location)!;
            for (const chunk of lazyRange(file.source, t.external.offset ?? 0, p.length).chunks()) sink(chunk);
            at = p.offset + p.length;
          }
        }, { protect });
        finalSpec = mapTensors(spec, (t) => {
          const p = 'external' in t ? placed.get(t) : undefined;
          return p ? { name: t.name, dataType: t.dataType, dims: t.dims, external: { location: dataName, offset: p.offset, length: p.length } } : t;
        });
        result = { mode: 'copied', file: dataPath, bytes };
        protect.push(dataPath);
      }
    }
    const bytes = atomicWrite(outAbs, (sink) => void writeModel(finalSpec, sink), { protect });
    return { ...summary, outPath: outAbs, bytes, externalData: result };
  } finally {
    host.close();
    source.close();
  }
}

function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    throw new RefusedTargetError(`output folder ${a} does not exist`);
  }
}

type ExternalTensor = TensorSpec & { readonly external: NonNullable<Extract<TensorSpec, { external: unknown }>['external']> };

function collectExternal(spec: ModelSpec): ExternalTensor[] {
  const out: ExternalTensor[] = [];
  mapTensors(spec, (t) => {
    if ('external' in t) out.push(t as ExternalTensor);
    return t;
  });
  return out;
}

/** A copy of the spec with every tensor (initializers, attribute tensors, subgraphs) passed through `f`. */
function mapTensors(spec: ModelSpec, f: (t: TensorSpec) => TensorSpec): ModelSpec {
  const graph = (g: GraphSpec): GraphSpec => ({
    ...g,
    initializers: g.initializers.map(f),
    ...(g.sparseInitializers ? { sparseInitializers: g.sparseInitializers.map((s) => ({ ...s, values: f(s.values), indices: f(s.indices) })) } : {}),
    nodes: g.nodes.map(node),
  });
  const attr = (a: AttrSpec): AttrSpec => {
    if (typeof a !== 'object' || Array.isArray(a) || !('type' in a)) return a;
    switch (a.type) {
      case 'tensor': return { type: 'tensor', value: f(a.value) };
      case 'tensors': return { type: 'tensors', value: a.value.map(f) };
      case 'graph': return { type: 'graph', value: graph(a.value) };
      case 'graphs': return { type: 'graphs', value: a.value.map(graph) };
      case 'sparse': return { type: 'sparse', value: { ...a.value, values: f(a.value.values), indices: f(a.value.indices) } };
      case 'sparses': return { type: 'sparses', value: a.value.map((s) => ({ ...s, values: f(s.values), indices: f(s.indices) })) };
      default: return a;
    }
  };
  const node = (n: NodeSpec): NodeSpec => (n.attributes ? { ...n, attributes: Object.fromEntries(Object.entries(n.attributes).map(([k, v]) => [k, attr(v)])) } : n);
  return { ...spec, graph: graph(spec.graph), ...(spec.functions ? { functions: spec.functions.map((fn) => ({ ...fn, nodes: fn.nodes.map(node) })) } : {}) };
}
