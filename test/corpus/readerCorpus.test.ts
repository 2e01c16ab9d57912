// Every model of the shared corpus parses, and every tensor (initializers, Constant-node
// payloads, subgraph initializers, test-data .pb tensors) has the dtype, dims, element count,
// storage and float64 statistics of its reference JSON / torch oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { corpusPath, corpusTestOptions, CORPUS_DIR } from '../support/corpus';
import {
  collectWeights, computeTensorStats, parseModel, parseTensorProto, tensorValueChunks, dataTypeName,
  type WeightEntry, type TensorDataContext,
} from '../../src/core/index';
import { openFileSource } from '../../src/node/fileSource';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { WireReader } from '../../src/core/protobuf/wireReader';
import { DecodeContext } from '../../src/core/onnx/decodeContext';
import { decodeTensorInto, finalizeTensor, newTensorBuilder } from '../../src/core/onnx/decodeTensor';
import type { ByteSource, TensorRef } from '../../src/core/index';
import { compareWithReference, isNumeric, storageName, type RefStats } from './readerCompare';

interface RefTensor {
  name: string; data_type?: number; dtype: string; shape: number[]; element_count: number; storage?: string;
  graph: string; stats?: RefStats; error?: string; node_index?: number; output?: string; attribute?: string;
}
interface Reference {
  initializers?: RefTensor[]; constant_node_tensors?: RefTensor[]; constant_node_count?: number; initializer_count?: number;
  test_data?: { file: string; kind: string; tensor?: RefTensor; tensors?: RefTensor[] }[];
}

function walk(dir: string, accept: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, accept, out);
    else if (accept(name)) out.push(p);
  }
  return out;
}

function withModel<T>(path: string, fn: (w: WeightEntry[], ctx: TensorDataContext, model: ReturnType<typeof parseModel>) => T): T {
  const source = openFileSource(path);
  const host = createExternalDataHost(path);
  try {
    const model = parseModel(source);
    return fn(collectWeights(model), { model: source, external: host }, model);
  } finally {
    host.close();
    source.close();
  }
}

function checkRecord(label: string, w: WeightEntry | undefined, ref: RefTensor, ctx: TensorDataContext, problems: string[]): number {
  if (w === undefined) {
    problems.push(`${label}: missing in reader output`);
    return 0;
  }
  const t = w.tensor;
  if (ref.data_type !== undefined ? t.dataType !== ref.data_type : dataTypeName(t.dataType) !== ref.dtype) problems.push(`${label}: data_type ${t.dataType} != ${ref.data_type ?? ref.dtype}`);
  if (JSON.stringify(w.sparse?.dims ?? t.dims) !== JSON.stringify(ref.shape)) problems.push(`${label}: shape ${JSON.stringify(t.dims)} != ${JSON.stringify(ref.shape)}`);
  if (t.elementCount !== ref.element_count) problems.push(`${label}: element_count ${t.elementCount} != ${ref.element_count}`);
  const storage = storageName(t.storage);
  if (ref.storage !== undefined && storage !== ref.storage) problems.push(`${label}: storage ${storage} != ${ref.storage}`);
  if (ref.error !== undefined) {
    if (t.refusal === undefined) problems.push(`${label}: reference has error "${ref.error}" but the reader accepted it`);
    return 1;
  }
  if (t.refusal !== undefined) {
    problems.push(`${label}: refused (${t.refusal.rule}) but the reference decoded it`);
    return 1;
  }
  if (ref.stats !== undefined && isNumeric(t)) problems.push(...compareWithReference(label, t, ctx, ref.stats));
  return 1;
}

/**
 * Tensors of a SequenceProto (tensor_values = 3) or OptionalProto (tensor_value = 3,
 * sequence_value = 5) test-data file, through the reader's own TensorProto decoder.
 */
function containerTensors(source: ByteSource, kind: 'sequence' | 'optional'): TensorRef[] {
  const ctx = new DecodeContext(new WireReader(source));
  const out: TensorRef[] = [];
  const visit = (end: number, k: 'sequence' | 'optional'): void => {
    while (ctx.r.pos < end) {
      const tag = ctx.r.tag(end);
      const field = tag >>> 3;
      if (field === 3 || (k === 'optional' && field === 5)) {
        const e = ctx.messageEnd(tag, end, k, String(field));
        if (field === 3) {
          const b = newTensorBuilder(ctx.r.pos);
          decodeTensorInto(ctx, e, b);
          out.push(finalizeTensor(b));
        } else visit(e, 'sequence');
        ctx.r.pos = e;
      } else ctx.r.skip(tag & 7, end, field);
    }
  };
  visit(source.size, kind);
  return out;
}

function referenceModels(): { model: string; ref: string }[] {
  const out: { model: string; ref: string }[] = [];
  for (const r of walk(corpusPath('onnx-node-tests'), (n) => n === 'reference.json' || n.endsWith('.onnx.reference.json'))) {
    const model = r.endsWith('.onnx.reference.json') ? r.slice(0, -'.reference.json'.length) : join(dirname(r), 'model.onnx');
    if (existsSync(model)) out.push({ model, ref: r });
  }
  for (const r of walk(corpusPath('third-party'), (n) => n.endsWith('.reference.json'))) out.push({ model: r.slice(0, -'.reference.json'.length), ref: r });
  return out;
}

test('torch corpus: every initializer matches its oracle (dtype, shape, numel, finite stats)', corpusTestOptions, () => {
  const problems: string[] = [];
  let tensors = 0;
  const oracles = readdirSync(corpusPath('torch')).filter((n) => n.endsWith('.oracle.json'));
  assert.ok(oracles.length >= 28, `expected the 28 torch models, found ${oracles.length}`);
  const DT: Record<string, string> = { float32: 'FLOAT', float16: 'FLOAT16', int8: 'INT8', int32: 'INT32', int64: 'INT64', uint8: 'UINT8', float64: 'DOUBLE' };
  for (const o of oracles) {
    const oracle = JSON.parse(readFileSync(corpusPath('torch', o), 'utf8')) as { initializers: Record<string, { dtype: string; shape: number[]; numel: number; stats: Record<string, number | null> }> };
    withModel(corpusPath('torch', o.replace('.oracle.json', '.onnx')), (weights, ctx) => {
      const byName = new Map(weights.filter((w) => w.origin === 'initializer' && w.graphPath === 'graph').map((w) => [w.name, w]));
      for (const [name, ref] of Object.entries(oracle.initializers)) {
        const label = `${o}:${name}`;
        const w = byName.get(name);
        if (!w) { problems.push(`${label}: missing`); continue; }
        tensors++;
        if (dataTypeName(w.tensor.dataType) !== DT[ref.dtype]) problems.push(`${label}: dtype ${dataTypeName(w.tensor.dataType)} vs ${ref.dtype}`);
        if (JSON.stringify(w.tensor.dims) !== JSON.stringify(ref.shape)) problems.push(`${label}: shape`);
        if (w.tensor.elementCount !== ref.numel) problems.push(`${label}: numel`);
        const s = computeTensorStats(tensorValueChunks(w.tensor, ctx));
        const r = ref.stats;
        const exact: [string, number, number | null | undefined][] = [
          ['count', s.count, r.count], ['finite_count', s.finiteCount, r.finite_count], ['zero_count', s.zeroCount, r.zero_count],
          ['nan_count', s.nanCount, r.nan_count], ['posinf_count', s.posInfCount, r.posinf_count], ['neginf_count', s.negInfCount, r.neginf_count],
          ['min', s.min, r.min], ['max', s.max, r.max],
        ];
        for (const [k, g, v] of exact) if (g !== v) problems.push(`${label}: ${k} ${g} != ${v}`);
        for (const [k, g, v] of [['mean', s.mean, r.mean], ['std', s.std, r.std], ['abs_mean', s.absMean, r.abs_mean], ['rms', s.rms, r.rms]] as const) {
          if (typeof v === 'number' && !(Math.abs(g - v) <= 1e-9 + 1e-9 * Math.abs(v))) problems.push(`${label}: ${k} ${g} != ${v}`);
        }
        const kv = r.excess_kurtosis;
        if (typeof kv === 'number' && !(Math.abs(s.excessKurtosis - kv) <= 1e-7 + 1e-7 * Math.abs(kv))) problems.push(`${label}: excess_kurtosis ${s.excessKurtosis} != ${kv}`);
      }
    });
  }
  console.log(`# torch corpus: ${oracles.length} models, ${tensors} initializers checked`);
  assert.deepEqual(problems.slice(0, 30), []);
});

test('onnx-node-tests + third-party: models parse, initializers / Constant tensors / test data match reference.json', corpusTestOptions, () => {
  const problems: string[] = [];
  let models = 0;
  let tensors = 0;
  let testTensors = 0;
  for (const { model, ref: refPath } of referenceModels()) {
    const ref = JSON.parse(readFileSync(refPath, 'utf8')) as Reference;
    const rel = model.slice(CORPUS_DIR.length + 1);
    try {
      withModel(model, (weights, ctx) => {
        models++;
        const inits = new Map<string, WeightEntry[]>();
        for (const w of weights.filter((x) => x.origin === 'initializer')) {
          const k = `${w.graphPath}\0${w.name}`;
          inits.set(k, [...(inits.get(k) ?? []), w]);
        }
        const ourInits = weights.filter((x) => x.origin === 'initializer').length;
        if (ref.initializer_count !== undefined && ourInits !== ref.initializer_count) problems.push(`${rel}: ${ourInits} initializers, reference ${ref.initializer_count}`);
        for (const r of ref.initializers ?? []) tensors += checkRecord(`${rel}:${r.graph}:${r.name}`, inits.get(`${r.graph}\0${r.name}`)?.shift(), r, ctx, problems);
        const consts = new Map<string, WeightEntry>();
        for (const w of weights) if (w.origin === 'constant-node' && w.constantNode) consts.set(`${w.graphPath}\0${w.constantNode.nodeIndex}`, w);
        if (ref.constant_node_count !== undefined && consts.size !== ref.constant_node_count) problems.push(`${rel}: ${consts.size} Constant tensors, reference ${ref.constant_node_count}`);
        for (const r of ref.constant_node_tensors ?? []) tensors += checkRecord(`${rel}:${r.graph}:node[${r.node_index}]`, consts.get(`${r.graph}\0${r.node_index}`), r, ctx, problems);
      });
    } catch (e) {
      problems.push(`${rel}: ${(e as Error).name}: ${(e as Error).message}`);
      continue;
    }
    for (const td of ref.test_data ?? []) {
      const pb = join(dirname(model), td.file);
      const source = openFileSource(pb);
      try {
        const ctx = { model: source, external: createExternalDataHost(pb) };
        if (td.kind === 'tensor' && td.tensor !== undefined) {
          const t = parseTensorProto(source);
          testTensors += checkRecord(`${rel}:${td.file}`, { name: t.name, tensor: t, origin: 'initializer', graphPath: '' }, td.tensor, ctx, problems);
        } else if (td.kind === 'sequence' || td.kind === 'optional') {
          const got = containerTensors(source, td.kind);
          const refs = td.tensors ?? (td.tensor ? [td.tensor] : []);
          if (got.length !== refs.length) problems.push(`${rel}:${td.file}: ${got.length} tensors in the ${td.kind}, reference ${refs.length}`);
          refs.forEach((r, i) => { testTensors += checkRecord(`${rel}:${td.file}[${i}]`, got[i] && { name: got[i].name, tensor: got[i], origin: 'initializer', graphPath: '' }, r, ctx, problems); });
        } else problems.push(`${rel}:${td.file}: unknown test-data kind ${td.kind}`);
      } catch (e) {
        problems.push(`${rel}:${td.file}: ${(e as Error).name}: ${(e as Error).message}`);
      } finally {
        source.close();
      }
    }
  }
  console.log(`# reference corpus: ${models} models parsed, ${tensors} model tensors and ${testTensors} test-data tensors checked, ${problems.length} problems`);
  assert.ok(models >= 1960, `expected every reference model, parsed ${models}`);
  assert.deepEqual(problems.slice(0, 30), []);
});
