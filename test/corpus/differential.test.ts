/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs decodes into untyped objects */
// Differential test of the hand-written lazy reader against protobufjs with the ONNX schema
// (test/fixtures/onnx.proto) on every corpus model: names, op types, attributes, dims, data
// types, storage kinds, raw_data byte ranges, external_data entries and typed-field values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { corpusPath, corpusTestOptions, CORPUS_DIR, REPO_ROOT } from '../support/corpus';
import { bytesSource, DataType, NO_EXTERNAL_DATA, parseModel, tensorValueChunks, type Attribute, type Graph, type SparseTensorRef, type TensorRef, type TypeInfo, type ValueInfo } from '../../src/core/index';

const root = protobuf.loadSync(join(REPO_ROOT, 'test', 'fixtures', 'onnx.proto'));
const ModelProto = root.lookupType('onnx.ModelProto');
const utf8 = new TextDecoder('utf-8', { fatal: false });
const num = (v: any): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber());
const str = (v: any): string => (v instanceof Uint8Array ? utf8.decode(v) : v ?? '');
const ATTR: Record<number, string> = { 1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 5: 'graph', 6: 'floats', 7: 'ints', 8: 'strings', 9: 'tensors', 10: 'graphs', 11: 'sparse_tensor', 12: 'sparse_tensors', 13: 'type_proto', 14: 'type_protos' };
/** Typed fields whose entries are one element each and map to float64 without conversion. */
const DIRECT: Record<number, string> = { [DataType.FLOAT]: 'floatData', [DataType.DOUBLE]: 'doubleData', [DataType.INT64]: 'int64Data', [DataType.INT32]: 'int32Data', [DataType.UINT64]: 'uint64Data', [DataType.UINT32]: 'uint64Data' };

class Diff {
  readonly problems: string[] = [];
  checks = 0;
  constructor(private readonly buf: Uint8Array, private readonly file: string) {}
  eq(where: string, got: unknown, want: unknown): void {
    this.checks++;
    if (JSON.stringify(got) !== JSON.stringify(want)) this.problems.push(`${this.file} ${where}: reader ${JSON.stringify(got)?.slice(0, 120)} vs protobufjs ${JSON.stringify(want)?.slice(0, 120)}`);
  }

  tensor(where: string, ours: TensorRef, t: any): void {
    this.eq(`${where}.name`, ours.name, str(t.name));
    this.eq(`${where}.data_type`, ours.dataType, num(t.dataType));
    this.eq(`${where}.dims`, ours.dims, (t.dims ?? []).map(num));
    const s = ours.storage;
    if (num(t.dataLocation) === 1) {
      this.eq(`${where}.storage`, s.kind, 'external');
      const loc = (t.externalData ?? []).find((e: any) => str(e.key) === 'location');
      if (s.kind === 'external') this.eq(`${where}.location`, s.location, loc ? str(loc.value) : '');
      return;
    }
    if (t.rawData !== undefined && t.rawData !== null && (t.rawData.length > 0 || Object.hasOwn(t, 'rawData'))) {
      this.eq(`${where}.storage`, s.kind, 'raw');
      if (s.kind === 'raw') this.eq(`${where}.raw_data range`, [s.offset, s.length], [t.rawData.byteOffset - this.buf.byteOffset, t.rawData.length]);
      return;
    }
    const field = DIRECT[ours.dataType];
    if (field !== undefined && (t[field]?.length ?? 0) > 0 && ours.refusal === undefined) {
      const got = [...tensorValueChunks(ours, { model: bytesSource(this.buf), external: NO_EXTERNAL_DATA })].flatMap((c) => [...c]);
      this.eq(`${where}.${field} values`, got, t[field].map(num));
    }
  }

  sparse(where: string, ours: SparseTensorRef, t: any): void {
    this.tensor(`${where}.values`, ours.values, t.values ?? {});
    this.tensor(`${where}.indices`, ours.indices, t.indices ?? {});
    this.eq(`${where}.dims`, ours.dims, (t.dims ?? []).map(num));
  }

  type(where: string, ours: TypeInfo | undefined, t: any): void {
    if (!t) return this.eq(`${where}`, ours, undefined);
    const shape = (s: any) => (s ? (s.dim ?? []).map((d: any) => (d.dimParam !== undefined && d.dimParam !== null && Object.hasOwn(d, 'dimParam') ? str(d.dimParam) : Object.hasOwn(d, 'dimValue') ? num(d.dimValue) : null)) : undefined);
    if (t.tensorType) this.eq(where, ours, { kind: 'tensor', elemType: num(t.tensorType.elemType), shape: shape(t.tensorType.shape) });
    else if (t.sparseTensorType) this.eq(where, ours, { kind: 'sparse_tensor', elemType: num(t.sparseTensorType.elemType), shape: shape(t.sparseTensorType.shape) });
    else if (t.sequenceType) { this.eq(`${where}.kind`, ours?.kind, 'sequence'); if (ours?.kind === 'sequence') this.type(`${where}.elem`, ours.elem, t.sequenceType.elemType); }
    else if (t.optionalType) { this.eq(`${where}.kind`, ours?.kind, 'optional'); if (ours?.kind === 'optional') this.type(`${where}.elem`, ours.elem, t.optionalType.elemType); }
    else if (t.mapType) { this.eq(`${where}.kind`, ours?.kind, 'map'); if (ours?.kind === 'map') { this.eq(`${where}.key`, ours.keyType, num(t.mapType.keyType)); this.type(`${where}.value`, ours.value, t.mapType.valueType); } }
  }

  values(where: string, ours: readonly ValueInfo[], theirs: any[] = []): void {
    this.eq(`${where}.names`, ours.map((v) => v.name), theirs.map((v) => str(v.name)));
    ours.forEach((v, i) => this.type(`${where}[${i}].type`, v.type, theirs[i]?.type));
  }

  attribute(where: string, a: Attribute, t: any): void {
    this.eq(`${where}.name`, a.name, str(t.name));
    const declared = ATTR[num(t.type)];
    if (t.refAttrName) return this.eq(`${where}.ref`, a.value.type, 'ref');
    if (declared === undefined) return;
    this.eq(`${where}.type`, a.value.type, declared);
    const v = a.value;
    switch (v.type) {
      case 'float': return this.eq(`${where}.f`, v.value, t.f ?? 0);
      case 'int': return this.eq(`${where}.i`, v.value, num(t.i));
      case 'string': return this.eq(`${where}.s`, v.value, str(t.s));
      case 'floats': return this.eq(`${where}.floats`, v.value, t.floats ?? []);
      case 'ints': return this.eq(`${where}.ints`, v.value, (t.ints ?? []).map(num));
      case 'strings': return this.eq(`${where}.strings`, v.value, (t.strings ?? []).map(str));
      case 'tensor': return this.tensor(`${where}.t`, v.value, t.t ?? {});
      case 'tensors': this.eq(`${where}.tensors.length`, v.value.length, (t.tensors ?? []).length); return v.value.forEach((x, i) => this.tensor(`${where}.tensors[${i}]`, x, t.tensors[i]));
      case 'graph': return this.graph(`${where}.g`, v.value, t.g ?? {});
      case 'graphs': this.eq(`${where}.graphs.length`, v.value.length, (t.graphs ?? []).length); return v.value.forEach((g, i) => this.graph(`${where}.graphs[${i}]`, g, t.graphs[i]));
      case 'sparse_tensor': return this.sparse(`${where}.sparse_tensor`, v.value, t.sparseTensor ?? {});
      case 'sparse_tensors': return v.value.forEach((s, i) => this.sparse(`${where}.sparse_tensors[${i}]`, s, t.sparseTensors[i]));
      case 'type_proto': return this.type(`${where}.tp`, v.value, t.tp);
      case 'type_protos': return v.value.forEach((x, i) => this.type(`${where}.type_protos[${i}]`, x, t.typeProtos[i]));
      default: return undefined;
    }
  }

  graph(where: string, g: Graph, t: any): void {
    this.eq(`${where}.name`, g.name, str(t.name));
    this.eq(`${where}.doc_string`, g.docString, str(t.docString));
    const nodes: any[] = t.node ?? [];
    this.eq(`${where}.nodes.length`, g.nodes.length, nodes.length);
    g.nodes.forEach((n, i) => {
      const tn = nodes[i] ?? {};
      const w = `${where}/node[${i}]`;
      this.eq(`${w}`, [n.opType, n.name, n.domain, n.inputs, n.outputs], [str(tn.opType), str(tn.name), str(tn.domain), (tn.input ?? []).map(str), (tn.output ?? []).map(str)]);
      this.eq(`${w}.attributes.length`, n.attributes.length, (tn.attribute ?? []).length);
      n.attributes.forEach((a, k) => this.attribute(`${w}.attr[${k}]`, a, tn.attribute?.[k] ?? {}));
    });
    const inits: any[] = t.initializer ?? [];
    this.eq(`${where}.initializers.length`, g.initializers.length, inits.length);
    g.initializers.forEach((x, i) => this.tensor(`${where}.initializer[${i}]`, x, inits[i] ?? {}));
    const sparse: any[] = t.sparseInitializer ?? [];
    this.eq(`${where}.sparse.length`, g.sparseInitializers.length, sparse.length);
    g.sparseInitializers.forEach((x, i) => this.sparse(`${where}.sparse[${i}]`, x, sparse[i] ?? {}));
    this.values(`${where}.input`, g.inputs, t.input);
    this.values(`${where}.output`, g.outputs, t.output);
    this.values(`${where}.value_info`, g.valueInfo, t.valueInfo);
  }
}

function corpusModels(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.onnx')) out.push(p);
    }
  };
  for (const d of ['torch', 'third-party', 'onnx-node-tests', 'hostile']) if (existsSync(corpusPath(d))) walk(corpusPath(d));
  return out;
}

/** Cases where the two decoders may legitimately disagree (the reader follows the protobuf spec). */
const KNOWN_DIFFERENT = new Set([
  // protobufjs replaces a repeated singular message field; protobuf (and the reader) merge.
  'hostile/control_graph_field_twice/model.onnx',
]);

test('differential: the lazy reader agrees with protobufjs + onnx.proto on every corpus model', corpusTestOptions, () => {
  let compared = 0;
  let refusedByReader = 0;
  let checks = 0;
  const problems: string[] = [];
  for (const path of corpusModels()) {
    const rel = path.slice(CORPUS_DIR.length + 1);
    if (KNOWN_DIFFERENT.has(rel)) continue;
    const buf = new Uint8Array(readFileSync(path));
    let ours;
    let theirs: any;
    let ourError: unknown;
    let theirError: unknown;
    try { ours = parseModel(bytesSource(buf)); } catch (e) { ourError = e; }
    try { theirs = ModelProto.decode(buf); } catch (e) { theirError = e; }
    if (ours === undefined || theirs === undefined) {
      // Hostile files may be refused by us and still "decode" in protobufjs (empty file, a graph
      // nested past our limits, a file with no graph), never the other way round.
      if (ours !== undefined) problems.push(`${rel}: reader accepted a file protobufjs cannot decode (${String(theirError)})`);
      else if (!rel.startsWith('hostile/')) problems.push(`${rel}: reader rejected a corpus model: ${String(ourError)}`);
      else refusedByReader++;
      continue;
    }
    const d = new Diff(buf, rel);
    d.eq('ir_version', ours.irVersion, num(theirs.irVersion));
    d.eq('producer', [ours.producerName, ours.producerVersion, ours.domain, ours.modelVersion, ours.docString], [str(theirs.producerName), str(theirs.producerVersion), str(theirs.domain), num(theirs.modelVersion), str(theirs.docString)]);
    d.eq('opset_import', ours.opsetImports, (theirs.opsetImport ?? []).map((o: any) => ({ domain: str(o.domain), version: num(o.version) })));
    d.eq('metadata_props', ours.metadata, (theirs.metadataProps ?? []).map((e: any) => ({ key: str(e.key), value: str(e.value) })));
    d.eq('functions', ours.functions.map((f) => [f.name, f.domain, f.inputs, f.outputs, f.attributes, f.nodes.map((n) => n.opType)]), (theirs.functions ?? []).map((f: any) => [str(f.name), str(f.domain), (f.input ?? []).map(str), (f.output ?? []).map(str), (f.attribute ?? []).map(str), (f.node ?? []).map((n: any) => str(n.opType))]));
    d.graph('graph', ours.graph, theirs.graph ?? {});
    compared++;
    checks += d.checks;
    problems.push(...d.problems);
  }
  console.log(`# differential: ${compared} models compared field by field (${checks} comparisons), ${refusedByReader} hostile files refused by the reader only`);
  assert.ok(compared > 1900, `compared only ${compared} models`);
  assert.deepEqual(problems.slice(0, 25), []);
});
