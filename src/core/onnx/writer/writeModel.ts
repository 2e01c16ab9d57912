/**
 * Serializes a `ModelSpec` to ONNX protobuf bytes, streaming: tensor payloads (lazy or large raw)
 * are handed to the sink as they are, so a multi-GB model never exists in memory. Fields are
 * written in field-number order, as the protobuf C++ runtime (and so `onnx.save`) does, with
 * proto2 repeated scalars unpacked except where onnx.proto says `[packed = true]`.
 * Field numbers: onnx/onnx.proto (see domain.md §3.2).
 */
import { MessageWriter, type ByteSink } from '../../protobuf/wireWriter';
import { encodeTensorValues } from './encodeValues';
import type { AttrSpec, DimSpec, FunctionSpec, GraphSpec, ModelSpec, NodeSpec, OpsetSpec, SparseTensorSpec, TensorSpec, TypedDataSpec, TypeSpec, ValueInfoSpec } from './modelSpec';

/** AttributeProto.AttributeType. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14 } as const;

/** Streams the model to `sink`; returns the number of bytes written. */
export function writeModel(spec: ModelSpec, sink: ByteSink): number {
  return modelMessage(spec).emit(sink);
}

/** Encodes a (small) model into one buffer. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  return modelMessage(spec).encode();
}

/** The ModelProto as a sized message tree (its `byteLength` is the file size). */
export function modelMessage(spec: ModelSpec): MessageWriter {
  const m = new MessageWriter();
  m.varint(1, spec.irVersion);
  if (spec.producerName !== undefined) m.string(2, spec.producerName);
  if (spec.producerVersion !== undefined) m.string(3, spec.producerVersion);
  if (spec.domain !== undefined) m.string(4, spec.domain);
  if (spec.modelVersion !== undefined) m.varint(5, spec.modelVersion);
  if (spec.docString !== undefined) m.string(6, spec.docString);
  m.message(7, graphMessage(spec.graph));
  for (const o of spec.opsetImports) m.message(8, opsetMessage(o));
  for (const kv of spec.metadata ?? []) m.message(14, stringEntry(kv.key, kv.value));
  for (const f of spec.functions ?? []) m.message(25, functionMessage(f));
  return m;
}

function opsetMessage(o: OpsetSpec): MessageWriter {
  return new MessageWriter().string(1, o.domain).varint(2, o.version);
}

function stringEntry(key: string, value: string): MessageWriter {
  return new MessageWriter().string(1, key).string(2, value);
}

/** GraphProto. */
export function graphMessage(g: GraphSpec): MessageWriter {
  const m = new MessageWriter();
  for (const n of g.nodes) m.message(1, nodeMessage(n));
  m.string(2, g.name);
  for (const t of g.initializers) m.message(5, tensorMessage(t));
  if (g.docString !== undefined) m.string(10, g.docString);
  for (const v of g.inputs) m.message(11, valueInfoMessage(v));
  for (const v of g.outputs) m.message(12, valueInfoMessage(v));
  for (const v of g.valueInfo ?? []) m.message(13, valueInfoMessage(v));
  for (const s of g.sparseInitializers ?? []) m.message(15, sparseMessage(s));
  return m;
}

function nodeMessage(n: NodeSpec): MessageWriter {
  const m = new MessageWriter();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  if (n.name !== undefined) m.string(3, n.name);
  m.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes ?? {})) m.message(5, attributeMessage(name, a));
  if (n.docString !== undefined) m.string(6, n.docString);
  if (n.domain !== undefined) m.string(7, n.domain);
  return m;
}

function attributeMessage(name: string, a: AttrSpec): MessageWriter {
  const m = new MessageWriter().string(1, name);
  const v = normalizeAttr(a);
  let type: number | undefined;
  switch (v.type) {
    case 'float': m.float(2, v.value); type = AttrType.FLOAT; break;
    case 'int': m.varint(3, v.value); type = AttrType.INT; break;
    case 'string': writeStringOrBytes(m, 4, v.value); type = AttrType.STRING; break;
    case 'tensor': m.message(5, tensorMessage(v.value)); type = AttrType.TENSOR; break;
    case 'graph': m.message(6, graphMessage(v.value)); type = AttrType.GRAPH; break;
    case 'floats': for (const x of v.value) m.float(7, x); type = AttrType.FLOATS; break;
    case 'ints': for (const x of v.value) m.varint(8, x); type = AttrType.INTS; break;
    case 'strings': for (const x of v.value) writeStringOrBytes(m, 9, x); type = AttrType.STRINGS; break;
    case 'tensors': for (const t of v.value) m.message(10, tensorMessage(t)); type = AttrType.TENSORS; break;
    case 'graphs': for (const g of v.value) m.message(11, graphMessage(g)); type = AttrType.GRAPHS; break;
    case 'sparse': type = AttrType.SPARSE_TENSOR; break;
    case 'sparses': type = AttrType.SPARSE_TENSORS; break;
    case 'type_proto': m.message(14, typeMessage(v.value)); type = AttrType.TYPE_PROTO; break;
    case 'type_protos': for (const t of v.value) m.message(15, typeMessage(t)); type = AttrType.TYPE_PROTOS; break;
    case 'ref': type = v.attrType; break;
    case 'undefined': type = undefined; break;
  }
  if (type !== undefined) m.varint(20, type);
  if (v.type === 'ref') m.string(21, v.refAttrName);
  if (v.type === 'sparse') m.message(22, sparseMessage(v.value));
  if (v.type === 'sparses') for (const s of v.value) m.message(23, sparseMessage(s));
  return m;
}

type TaggedAttr = Exclude<AttrSpec, number | string | readonly number[] | readonly string[]>;

function normalizeAttr(a: AttrSpec): TaggedAttr {
  if (typeof a === 'number') return Number.isInteger(a) ? { type: 'int', value: a } : { type: 'float', value: a };
  if (typeof a === 'string') return { type: 'string', value: a };
  if (Array.isArray(a)) {
    if (a.every((x) => typeof x === 'string')) return { type: 'strings', value: a as string[] };
    const nums = a as number[];
    return nums.every((x) => Number.isInteger(x)) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
  }
  return a as TaggedAttr;
}

function writeStringOrBytes(m: MessageWriter, field: number, v: string | Uint8Array): void {
  if (typeof v === 'string') m.string(field, v);
  else m.bytes(field, v);
}

function valueInfoMessage(v: ValueInfoSpec): MessageWriter {
  const m = new MessageWriter().string(1, v.name);
  const type = v.type ?? (v.elemType !== undefined ? { kind: 'tensor' as const, elemType: v.elemType, shape: v.shape } : undefined);
  if (type !== undefined) m.message(2, typeMessage(type));
  if (v.docString !== undefined) m.string(3, v.docString);
  return m;
}

/** TypeProto: tensor_type=1, sequence_type=4, map_type=5, sparse_tensor_type=8, optional_type=9. */
function typeMessage(t: TypeSpec): MessageWriter {
  const m = new MessageWriter();
  switch (t.kind) {
    case 'tensor':
    case 'sparse_tensor': {
      const inner = new MessageWriter().varint(1, t.elemType);
      if (t.shape !== undefined) inner.message(2, shapeMessage(t.shape));
      m.message(t.kind === 'tensor' ? 1 : 8, inner);
      break;
    }
    case 'sequence':
    case 'optional': {
      const inner = new MessageWriter();
      if (t.elem !== undefined) inner.message(1, typeMessage(t.elem));
      m.message(t.kind === 'sequence' ? 4 : 9, inner);
      break;
    }
    case 'map': {
      const inner = new MessageWriter().varint(1, t.keyType);
      if (t.value !== undefined) inner.message(2, typeMessage(t.value));
      m.message(5, inner);
      break;
    }
    case 'unknown':
      break;
  }
  return m;
}

function shapeMessage(dims: readonly DimSpec[]): MessageWriter {
  const shape = new MessageWriter();
  for (const d of dims) {
    const dim = new MessageWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else if (typeof d === 'string') dim.string(2, d);
    shape.message(1, dim);
  }
  return shape;
}

function sparseMessage(s: SparseTensorSpec): MessageWriter {
  const m = new MessageWriter().message(1, tensorMessage(s.values)).message(2, tensorMessage(s.indices));
  for (const d of s.dims) m.varint(3, d);
  return m;
}

const TYPED_FIELD = { float_data: 4, int32_data: 5, string_data: 6, int64_data: 7, double_data: 10, uint64_data: 11 } as const;

/** TensorProto. */
export function tensorMessage(t: TensorSpec): MessageWriter {
  const m = new MessageWriter();
  for (const d of t.dims) m.varint(1, d);
  m.varint(2, t.dataType);
  if ('typed' in t) writeTyped(m, t.typed);
  if (t.name !== undefined) m.string(8, t.name);
  if ('values' in t) m.bytes(9, encodeTensorValues(t.dataType, t.values));
  else if ('raw' in t) m.bytes(9, t.raw);
  else if ('lazy' in t) m.lazyBytes(9, t.lazy);
  if (t.docString !== undefined) m.string(12, t.docString);
  if ('external' in t) {
    const e = t.external;
    m.message(13, stringEntry('location', e.location));
    if (e.offset !== undefined) m.message(13, stringEntry('offset', String(e.offset)));
    if (e.length !== undefined) m.message(13, stringEntry('length', String(e.length)));
    if (e.checksum !== undefined) m.message(13, stringEntry('checksum', e.checksum));
    for (const kv of e.extra ?? []) m.message(13, stringEntry(kv.key, kv.value));
    m.varint(14, 1);
  }
  return m;
}

/** Wire type of one unpacked element of each typed field. */
const UNPACKED_WIRE = { float_data: 5, int32_data: 0, int64_data: 0, double_data: 1, uint64_data: 0, string_data: 2 } as const;

function writeTyped(m: MessageWriter, typed: TypedDataSpec): void {
  const field = TYPED_FIELD[typed.field];
  if ('encoded' in typed) {
    for (const occ of typed.encoded) {
      const p = occ.payload;
      if (!(p instanceof Uint8Array)) m.lazyBytes(field, p);
      else if (occ.packed) m.bytes(field, p);
      else m.encodedField(field, UNPACKED_WIRE[typed.field], p);
    }
    return;
  }
  const values = typed.values;
  if (typed.field === 'string_data') {
    for (const s of values as readonly (string | Uint8Array)[]) writeStringOrBytes(m, field, s);
    return;
  }
  const nums = values as ArrayLike<number | bigint>;
  if (typed.packed ?? true) {
    if (typed.field === 'float_data') m.packedFloats(field, nums as ArrayLike<number>);
    else if (typed.field === 'double_data') m.packedDoubles(field, nums as ArrayLike<number>);
    else m.packedVarints(field, nums);
    return;
  }
  for (let i = 0; i < nums.length; i++) {
    const v = nums[i] as number | bigint;
    if (typed.field === 'float_data') m.float(field, Number(v));
    else if (typed.field === 'double_data') m.double(field, Number(v));
    else m.varint(field, v);
  }
}

function functionMessage(f: FunctionSpec): MessageWriter {
  const m = new MessageWriter().string(1, f.name);
  for (const i of f.inputs) m.string(4, i);
  for (const o of f.outputs) m.string(5, o);
  for (const a of f.attributes ?? []) m.string(6, a);
  for (const n of f.nodes) m.message(7, nodeMessage(n));
  if (f.docString !== undefined) m.string(8, f.docString);
  for (const o of f.opsetImports) m.message(9, opsetMessage(o));
  m.string(10, f.domain);
  if (f.overload !== undefined) m.string(13, f.overload);
  return m;
}
