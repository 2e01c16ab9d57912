import type { ByteSource } from '../host';
import { bytesSource } from '../host';
import { OnnxFormatError } from '../errors';
import { WireReader, WireType } from '../protobuf/wireReader';
import { DecodeContext, DEFAULT_LIMITS, type DecodeLimits } from './decodeContext';
import { decodeModelFields } from './decodeModel';
import { decodeTensorInto, finalizeTensor, newTensorBuilder } from './decodeTensor';
import type { Graph, Node, OnnxModel, TensorRef } from './model';
import { checkModel } from './modelChecks';

export interface ParseOptions {
  /** Override safety limits (tests). */
  readonly limits?: Partial<DecodeLimits>;
  /** Window size of the wire reader in bytes (default 1 MiB). */
  readonly windowBytes?: number;
}

/** ModelProto field number → wire type, for the header sniff. */
const MODEL_FIELDS: Record<number, number> = {
  1: WireType.VARINT, 2: WireType.LEN, 3: WireType.LEN, 4: WireType.LEN, 5: WireType.VARINT, 6: WireType.LEN,
  7: WireType.LEN, 8: WireType.LEN, 14: WireType.LEN, 20: WireType.LEN, 25: WireType.LEN, 26: WireType.LEN,
};

function describeForeignFormat(head: Uint8Array): string | undefined {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) ) {
    return 'this is a ZIP archive (e.g. a PyTorch .pt or an .onnx.zip), not an ONNX model (a binary protobuf ModelProto)';
  }
  let printable = 0;
  const n = Math.min(head.length, 256);
  for (let i = 0; i < n; i++) {
    const b = head[i] as number;
    if (b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f)) printable++;
  }
  if (n >= 8 && printable === n) {
    return 'this looks like a text file (e.g. ONNX textual syntax or JSON), not a binary ONNX protobuf model';
  }
  return undefined;
}

/**
 * Cheap sniff: do the first bytes look like the start of a binary ModelProto? (The first field
 * keys must be known ModelProto fields with the right wire types.)
 */
export function looksLikeOnnxModel(head: Uint8Array): boolean {
  if (head.length === 0 || describeForeignFormat(head) !== undefined) return false;
  const r = new WireReader(bytesSource(head), 64);
  try {
    for (let fields = 0; fields < 4 && r.pos < head.length; fields++) {
      const tag = r.tag(head.length);
      if (MODEL_FIELDS[tag >>> 3] !== (tag & 7)) return false;
      if ((tag & 7) === WireType.VARINT) r.varintParts(head.length);
      else {
        r.varintParts(head.length);
        const len = r.hi * 4294967296 + r.lo;
        if (r.pos + len > head.length) return true;
        r.pos += len;
      }
    }
    return true;
  } catch {
    return false;
  }
}

function childGraphs(node: Node): { graph: Graph; suffix: string }[] {
  const out: { graph: Graph; suffix: string }[] = [];
  for (const a of node.attributes) {
    if (a.value.type === 'graph') out.push({ graph: a.value.value, suffix: a.name });
    else if (a.value.type === 'graphs') a.value.value.forEach((g, k) => out.push({ graph: g, suffix: `${a.name}[${k}]` }));
  }
  return out;
}

/** Assigns `path` to every subgraph (depth-first, iteratively) and returns all graphs in that order. */
export function assignGraphPaths(roots: readonly { nodes: readonly Node[]; path: string; graph?: Graph }[]): Graph[] {
  const all: Graph[] = [];
  const stack: { nodes: readonly Node[]; path: string; graph?: Graph }[] = [...roots].reverse();
  while (stack.length > 0) {
    const item = stack.pop() as { nodes: readonly Node[]; path: string; graph?: Graph };
    if (item.graph !== undefined) {
      (item.graph as { path: string }).path = item.path;
      all.push(item.graph);
    }
    const next: { nodes: readonly Node[]; path: string; graph: Graph }[] = [];
    for (const n of item.nodes) {
      for (const c of childGraphs(n)) next.push({ graph: c.graph, nodes: c.graph.nodes, path: `${item.path}/node[${n.index}:${n.opType}]/${c.suffix}` });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as { nodes: readonly Node[]; path: string; graph: Graph });
  }
  return all;
}

function limitsOf(options?: ParseOptions): DecodeLimits {
  return { ...DEFAULT_LIMITS, ...(options?.limits ?? {}) };
}

/**
 * Parses a binary ONNX ModelProto lazily: tensor payloads are not read, only located. Throws
 * `OnnxFormatError` (with a byte offset) for anything that is not a usable model; per-tensor
 * problems become `TensorRef.refusal`, model oddities `OnnxModel.warnings`.
 */
export function parseModel(source: ByteSource, options?: ParseOptions): OnnxModel {
  if (source.size === 0) throw new OnnxFormatError('empty file: not an ONNX model (zero bytes, no graph)');
  const head = source.read(0, Math.min(256, source.size)).slice();
  const foreign = describeForeignFormat(head);
  if (foreign !== undefined) throw new OnnxFormatError(foreign, 0);
  const ctx = new DecodeContext(new WireReader(source, options?.windowBytes), limitsOf(options));
  let fields;
  try {
    fields = decodeModelFields(ctx, source.size);
  } catch (e) {
    if (e instanceof OnnxFormatError) {
      const Ctor = e.constructor as typeof OnnxFormatError;
      throw new Ctor(`cannot parse the ONNX protobuf: ${e.message.replace(/ \(at byte offset \d+\)$/, '')}`, e.offset, { cause: e });
    }
    throw e;
  }
  if (fields.graph === undefined) {
    throw new OnnxFormatError(`not a usable ONNX model: no graph (missing graph field${fields.irVersionSeen ? '' : ', no ir_version'}; the file may be truncated or not a model)`);
  }
  const graph = fields.graph;
  const roots = [{ nodes: graph.nodes, path: 'graph', graph: graph as Graph }, ...fields.functions.map((f) => ({ nodes: f.nodes, path: `function:${f.domain}.${f.name}` }))];
  const allGraphs = assignGraphPaths(roots);
  const base = {
    irVersion: fields.irVersion,
    producerName: fields.producerName,
    producerVersion: fields.producerVersion,
    domain: fields.domain,
    modelVersion: fields.modelVersion,
    docString: fields.docString,
    opsetImports: fields.opsetImports,
    metadata: fields.metadata,
    graph,
    functions: fields.functions,
    fileSize: source.size,
  };
  checkModel(ctx, base, allGraphs, fields.irVersionSeen);
  ctx.finishWarnings();
  return { ...base, warnings: ctx.warnings };
}

/** Parses a file that holds one bare TensorProto (ONNX test-data `.pb` files). */
export function parseTensorProto(source: ByteSource, options?: ParseOptions): TensorRef {
  const ctx = new DecodeContext(new WireReader(source, options?.windowBytes), limitsOf(options));
  const b = newTensorBuilder(0);
  decodeTensorInto(ctx, source.size, b);
  return finalizeTensor(b);
}
