import { LimitExceededError } from '../errors';
import { WireType } from '../protobuf/wireReader';
import type { DecodeContext } from './decodeContext';
import { decodeTensorField, finalizeTensor, newTensorBuilder, type TensorBuilder } from './decodeTensor';
import type { Attribute, AttributeValue, Graph, Node, SparseTensorRef, TypeInfo, ValueInfo } from './model';
import { decodeTypeProto } from './decodeType';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A graph while it is being decoded; arrays grow as repeated / merged fields arrive. */
export interface GraphBuilder extends Mutable<Graph> {
  nodes: Node[];
  initializers: Graph['initializers'][number][];
  sparseInitializers: SparseTensorRef[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
}

export function newGraphBuilder(parent: Graph | undefined): GraphBuilder {
  return { name: '', path: '', nodes: [], initializers: [], sparseInitializers: [], inputs: [], outputs: [], valueInfo: [], docString: '', parent };
}

interface SparseBuilder {
  values: TensorBuilder | undefined;
  indices: TensorBuilder | undefined;
  dims: number[];
  offset: number;
}

function decodeSparseInto(ctx: DecodeContext, end: number, s: SparseBuilder): void {
  const M = 'SparseTensorProto';
  ctx.enter(M);
  const r = ctx.r;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: s.values = decodeTensorField(ctx, tag, end, M, 'values', s.values); break;
      case 2: s.indices = decodeTensorField(ctx, tag, end, M, 'indices', s.indices); break;
      case 3:
        if ((tag & 7) !== WireType.VARINT) ctx.expect(tag, WireType.LEN, M, 'dims');
        ctx.int64s(tag, end, M, 'dims', s.dims);
        break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
}

function sparseField(ctx: DecodeContext, tag: number, end: number, parent: string, field: string, into?: SparseBuilder): SparseBuilder {
  const sEnd = ctx.messageEnd(tag, end, parent, field);
  const s = into ?? { values: undefined, indices: undefined, dims: [], offset: ctx.r.pos };
  decodeSparseInto(ctx, sEnd, s);
  return s;
}

/** Validates a sparse tensor's structure (index values are checked lazily by tensorValues). */
export function finalizeSparse(s: SparseBuilder): SparseTensorRef {
  const values = finalizeTensor(s.values ?? newTensorBuilder(s.offset));
  const indices = finalizeTensor(s.indices ?? newTensorBuilder(s.offset));
  return { name: values.name, values, indices, dims: s.dims };
}

function decodeValueInfo(ctx: DecodeContext, tag: number, end: number, parent: string, field: string): ValueInfo {
  const M = 'ValueInfoProto';
  const vEnd = ctx.messageEnd(tag, end, parent, field);
  ctx.enter(M);
  const r = ctx.r;
  let name = '';
  let docString = '';
  let type: TypeInfo | undefined;
  while (r.pos < vEnd) {
    const t = r.tag(vEnd);
    switch (t >>> 3) {
      case 1: name = ctx.string(t, vEnd, M, 'name'); break;
      case 2: type = decodeTypeProto(ctx, t, vEnd, M, 'type'); break;
      case 3: docString = ctx.string(t, vEnd, M, 'doc_string'); break;
      default: r.skip(t & 7, vEnd, t >>> 3);
    }
  }
  ctx.finish(vEnd, M);
  ctx.leave();
  return { name, type, docString };
}

const ATTR_TYPES: Record<number, AttributeValue['type']> = {
  1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 5: 'graph', 6: 'floats', 7: 'ints', 8: 'strings',
  9: 'tensors', 10: 'graphs', 11: 'sparse_tensor', 12: 'sparse_tensors', 13: 'type_proto', 14: 'type_protos',
};
/** Field number → attribute type, for attributes without the `type` discriminator (IR v1). */
const FIELD_TYPES: Record<number, AttributeValue['type']> = {
  2: 'float', 3: 'int', 4: 'string', 5: 'tensor', 6: 'graph', 7: 'floats', 8: 'ints', 9: 'strings',
  10: 'tensors', 11: 'graphs', 14: 'type_proto', 15: 'type_protos', 22: 'sparse_tensor', 23: 'sparse_tensors',
};

function decodeAttribute(ctx: DecodeContext, end: number, owner: Graph | undefined): Attribute {
  const M = 'AttributeProto';
  ctx.enter(M);
  const r = ctx.r;
  let name = '';
  let docString = '';
  let declared = 0;
  let refAttrName = '';
  let f = 0;
  let i = 0;
  let s = '';
  let t: TensorBuilder | undefined;
  let g: GraphBuilder | undefined;
  let sp: SparseBuilder | undefined;
  let tp: TypeInfo | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  const tensors: TensorBuilder[] = [];
  const graphs: GraphBuilder[] = [];
  const sparses: SparseBuilder[] = [];
  const tps: TypeInfo[] = [];
  let firstField = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    if (firstField === 0 && FIELD_TYPES[field] !== undefined) firstField = field;
    switch (field) {
      case 1: name = ctx.string(tag, end, M, 'name'); break;
      case 2: ctx.expect(tag, WireType.I32, M, 'f'); f = r.float32(end); break;
      case 3: ctx.expect(tag, WireType.VARINT, M, 'i'); i = r.int64(end); break;
      case 4: s = ctx.string(tag, end, M, 's'); break;
      case 5: t = decodeTensorField(ctx, tag, end, M, 't', t); break;
      case 6: g = subgraphField(ctx, tag, end, M, 'g', owner, g); break;
      case 7:
        if ((tag & 7) !== WireType.I32) ctx.expect(tag, WireType.LEN, M, 'floats');
        ctx.floats(tag, end, M, 'floats', floats);
        break;
      case 8:
        if ((tag & 7) !== WireType.VARINT) ctx.expect(tag, WireType.LEN, M, 'ints');
        ctx.int64s(tag, end, M, 'ints', ints);
        break;
      case 9:
        if (strings.length >= ctx.limits.maxListEntries) throw new LimitExceededError(`AttributeProto.strings has more than ${ctx.limits.maxListEntries} entries`, r.pos);
        strings.push(ctx.string(tag, end, M, 'strings'));
        break;
      case 10: tensors.push(decodeTensorField(ctx, tag, end, M, 'tensors')); break;
      case 11: graphs.push(subgraphField(ctx, tag, end, M, 'graphs', owner)); break;
      case 13: docString = ctx.string(tag, end, M, 'doc_string'); break;
      case 14: tp = decodeTypeProto(ctx, tag, end, M, 'tp'); break;
      case 15: tps.push(decodeTypeProto(ctx, tag, end, M, 'type_protos') ?? { kind: 'unknown' }); break;
      case 20: ctx.expect(tag, WireType.VARINT, M, 'type'); declared = r.int32(end); break;
      case 21: refAttrName = ctx.string(tag, end, M, 'ref_attr_name'); break;
      case 22: sp = sparseField(ctx, tag, end, M, 'sparse_tensor', sp); break;
      case 23: sparses.push(sparseField(ctx, tag, end, M, 'sparse_tensors')); break;
      default: r.skip(tag & 7, end, field);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  const kind = refAttrName !== '' ? 'ref' : ATTR_TYPES[declared] ?? (declared === 0 ? FIELD_TYPES[firstField] : undefined) ?? 'undefined';
  let value: AttributeValue;
  switch (kind) {
    case 'float': value = { type: kind, value: f }; break;
    case 'int': value = { type: kind, value: i }; break;
    case 'string': value = { type: kind, value: s }; break;
    case 'tensor': value = { type: kind, value: finalizeTensor(t ?? newTensorBuilder(r.pos)) }; break;
    case 'graph': value = { type: kind, value: g ?? newGraphBuilder(owner) }; break;
    case 'sparse_tensor': value = { type: kind, value: finalizeSparse(sp ?? { values: undefined, indices: undefined, dims: [], offset: r.pos }) }; break;
    case 'type_proto': value = { type: kind, value: tp ?? { kind: 'unknown' } }; break;
    case 'floats': value = { type: kind, value: floats }; break;
    case 'ints': value = { type: kind, value: ints }; break;
    case 'strings': value = { type: kind, value: strings }; break;
    case 'tensors': value = { type: kind, value: tensors.map(finalizeTensor) }; break;
    case 'graphs': value = { type: kind, value: graphs }; break;
    case 'sparse_tensors': value = { type: kind, value: sparses.map(finalizeSparse) }; break;
    case 'type_protos': value = { type: kind, value: tps }; break;
    case 'ref': value = { type: 'ref', refAttrName }; break;
    default: value = { type: 'undefined' };
  }
  return { name, value, docString };
}

/** Decodes a NodeProto payload. `owner` is the graph the node belongs to (parent of its subgraphs). */
export function decodeNode(ctx: DecodeContext, end: number, owner: Graph | undefined, index: number): Node {
  const M = 'NodeProto';
  ctx.enter(M);
  const r = ctx.r;
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: Attribute[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  let docString = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: inputs.push(ctx.string(tag, end, M, 'input')); break;
      case 2: outputs.push(ctx.string(tag, end, M, 'output')); break;
      case 3: name = ctx.string(tag, end, M, 'name'); break;
      case 4: opType = ctx.string(tag, end, M, 'op_type'); break;
      case 5: {
        const aEnd = ctx.messageEnd(tag, end, M, 'attribute');
        attributes.push(decodeAttribute(ctx, aEnd, owner));
        break;
      }
      case 6: docString = ctx.string(tag, end, M, 'doc_string'); break;
      case 7: domain = ctx.string(tag, end, M, 'domain'); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  return { name, opType, domain, inputs, outputs, attributes, docString, index };
}

function subgraphField(ctx: DecodeContext, tag: number, end: number, parent: string, field: string, owner: Graph | undefined, into?: GraphBuilder): GraphBuilder {
  const gEnd = ctx.messageEnd(tag, end, parent, field);
  const g = into ?? newGraphBuilder(owner);
  decodeGraphInto(ctx, gEnd, g);
  return g;
}

/** Decodes a GraphProto payload [pos, end) into `g` (merging, like protobuf). */
export function decodeGraphInto(ctx: DecodeContext, end: number, g: GraphBuilder): void {
  const M = 'GraphProto';
  if (++ctx.graphDepth > ctx.limits.maxGraphDepth) {
    throw new LimitExceededError(`graphs are nested more than ${ctx.limits.maxGraphDepth} levels deep (too deep: safety limit on subgraph nesting)`, ctx.r.pos);
  }
  ctx.enter(M);
  const r = ctx.r;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: {
        const nEnd = ctx.messageEnd(tag, end, M, 'node');
        g.nodes.push(decodeNode(ctx, nEnd, g, g.nodes.length));
        break;
      }
      case 2: g.name = ctx.string(tag, end, M, 'name'); break;
      case 5: {
        const b = decodeTensorField(ctx, tag, end, M, 'initializer');
        g.initializers.push(finalizeTensor(b));
        break;
      }
      case 10: g.docString = ctx.string(tag, end, M, 'doc_string'); break;
      case 11: g.inputs.push(decodeValueInfo(ctx, tag, end, M, 'input')); break;
      case 12: g.outputs.push(decodeValueInfo(ctx, tag, end, M, 'output')); break;
      case 13: g.valueInfo.push(decodeValueInfo(ctx, tag, end, M, 'value_info')); break;
      case 15: g.sparseInitializers.push(finalizeSparse(sparseField(ctx, tag, end, M, 'sparse_initializer'))); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  ctx.graphDepth--;
}

