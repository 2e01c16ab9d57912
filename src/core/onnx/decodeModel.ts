import { WireType } from '../protobuf/wireReader';
import type { DecodeContext } from './decodeContext';
import { decodeStringEntry } from './decodeTensor';
import { decodeGraphInto, decodeNode, newGraphBuilder, type GraphBuilder } from './decodeGraph';
import type { FunctionDef, Node, OperatorSetId } from './model';

/** The fields of a ModelProto as decoded (merged), before model-level checks. */
export interface ModelFields {
  irVersion: number;
  irVersionSeen: boolean;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsetImports: OperatorSetId[];
  metadata: { key: string; value: string }[];
  graph: GraphBuilder | undefined;
  functions: FunctionDef[];
}

function decodeOpset(ctx: DecodeContext, tag: number, end: number, parent: string, field: string): OperatorSetId {
  const M = 'OperatorSetIdProto';
  const oEnd = ctx.messageEnd(tag, end, parent, field);
  ctx.enter(M);
  const r = ctx.r;
  let domain = '';
  let version = 0;
  while (r.pos < oEnd) {
    const t = r.tag(oEnd);
    switch (t >>> 3) {
      case 1: domain = ctx.string(t, oEnd, M, 'domain'); break;
      case 2: ctx.expect(t, WireType.VARINT, M, 'version'); version = r.int64(oEnd); break;
      default: r.skip(t & 7, oEnd, t >>> 3);
    }
  }
  ctx.finish(oEnd, M);
  ctx.leave();
  return { domain, version };
}

function decodeFunction(ctx: DecodeContext, end: number): FunctionDef {
  const M = 'FunctionProto';
  ctx.enter(M);
  const r = ctx.r;
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: string[] = [];
  const nodes: Node[] = [];
  const opsetImports: OperatorSetId[] = [];
  let name = '';
  let domain = '';
  let overload = '';
  let docString = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: name = ctx.string(tag, end, M, 'name'); break;
      case 4: inputs.push(ctx.string(tag, end, M, 'input')); break;
      case 5: outputs.push(ctx.string(tag, end, M, 'output')); break;
      case 6: attributes.push(ctx.string(tag, end, M, 'attribute')); break;
      case 7: nodes.push(decodeNode(ctx, ctx.messageEnd(tag, end, M, 'node'), undefined, nodes.length)); break;
      case 8: docString = ctx.string(tag, end, M, 'doc_string'); break;
      case 9: opsetImports.push(decodeOpset(ctx, tag, end, M, 'opset_import')); break;
      case 10: domain = ctx.string(tag, end, M, 'domain'); break;
      case 13: overload = ctx.string(tag, end, M, 'overload'); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  return { name, domain, overload, inputs, outputs, attributes, nodes, opsetImports, docString };
}

/** Decodes a whole ModelProto occupying [pos, end) of the reader. */
export function decodeModelFields(ctx: DecodeContext, end: number): ModelFields {
  const M = 'ModelProto';
  const r = ctx.r;
  const m: ModelFields = {
    irVersion: 0, irVersionSeen: false, producerName: '', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', opsetImports: [], metadata: [], graph: undefined, functions: [],
  };
  ctx.enter(M);
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case 1: ctx.expect(tag, WireType.VARINT, M, 'ir_version'); m.irVersion = r.int64(end); m.irVersionSeen = true; break;
      case 2: m.producerName = ctx.string(tag, end, M, 'producer_name'); break;
      case 3: m.producerVersion = ctx.string(tag, end, M, 'producer_version'); break;
      case 4: m.domain = ctx.string(tag, end, M, 'domain'); break;
      case 5: ctx.expect(tag, WireType.VARINT, M, 'model_version'); m.modelVersion = r.int64(end); break;
      case 6: m.docString = ctx.string(tag, end, M, 'doc_string'); break;
      case 7: {
        const gEnd = ctx.messageEnd(tag, end, M, 'graph');
        m.graph ??= newGraphBuilder(undefined);
        decodeGraphInto(ctx, gEnd, m.graph);
        break;
      }
      case 8: m.opsetImports.push(decodeOpset(ctx, tag, end, M, 'opset_import')); break;
      case 14: decodeStringEntry(ctx, tag, end, M, 'metadata_props', m.metadata); break;
      case 25: m.functions.push(decodeFunction(ctx, ctx.messageEnd(tag, end, M, 'functions'))); break;
      default: r.skip(tag & 7, end, tag >>> 3);
    }
  }
  ctx.finish(end, M);
  ctx.leave();
  return m;
}
