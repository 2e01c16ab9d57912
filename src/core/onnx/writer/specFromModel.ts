/**
 * Turns a parsed `OnnxModel` back into a `ModelSpec`, so the probe / cut / fine-tune export can edit
 * plain data (outputs, nodes) and re-serialize it with `writeModel`. Tensor payloads are not copied
 * here: raw_data and external data become lazy payloads that read the source bytes only while the
 * new file is written, so re-emitting a 2 GB model stays in bounded memory.
 *
 * Faithful to what the reader models; not carried over (the reader does not keep them):
 * TensorProto.doc_string/segment, attribute doc strings, ref attributes' declared type, duplicate
 * attribute names (the last one wins), FunctionProto attribute_proto/value_info, training_info.
 */
import type { ByteSource } from '../../host';
import type { LazyBytes } from '../../protobuf/wireWriter';
import type { Attribute, FunctionDef, Graph, Node, OnnxModel, SparseTensorRef, TensorRef, ValueInfo } from '../model';
import type { TensorDataContext } from '../tensorValues';
import type { AttrSpec, FunctionSpec, GraphSpec, ModelSpec, NodeSpec, SparseTensorSpec, TensorSpec, ValueInfoSpec } from './modelSpec';

export interface SpecFromModelOptions {
  /**
   * External data: `keep` (default) references the same files; `inline` copies the bytes into
   * raw_data (the new model is self-contained; beware the 2 GB protobuf limit of other readers);
   * `rebase` keeps external data but rewrites each location (e.g. relative to a new folder).
   */
  readonly externalData?: 'keep' | 'inline' | { readonly rebase: (location: string) => string };
}

/** Bytes per read when streaming a payload out of the source. */
const COPY_CHUNK = 1 << 20;

/** A lazy copy of `length` bytes at `offset` of `source`, read in 1 MiB chunks while emitting. */
export function lazyRange(source: ByteSource, offset: number, length: number): LazyBytes {
  return {
    byteLength: length,
    *chunks() {
      for (let done = 0; done < length; ) {
        const n = Math.min(COPY_CHUNK, length - done);
        // Copy: a ByteSource may reuse the buffer it returns on the next read.
        const bytes = source.read(offset + done, n).slice();
        if (bytes.length !== n) throw new Error(`source ended early: ${bytes.length} of ${n} bytes at offset ${offset + done}`);
        yield bytes;
        done += n;
      }
    },
  };
}

export function specFromModel(model: OnnxModel, ctx: TensorDataContext, options?: SpecFromModelOptions): ModelSpec {
  const conv = new Converter(ctx, options?.externalData ?? 'keep');
  return {
    irVersion: model.irVersion,
    opsetImports: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: model.producerName || undefined,
    producerVersion: model.producerVersion || undefined,
    domain: model.domain || undefined,
    modelVersion: model.modelVersion || undefined,
    docString: model.docString || undefined,
    metadata: model.metadata.map((m) => ({ key: m.key, value: m.value })),
    graph: conv.graph(model.graph),
    functions: model.functions.map((f) => conv.fn(f)),
  };
}

class Converter {
  constructor(
    private readonly ctx: TensorDataContext,
    private readonly externalData: NonNullable<SpecFromModelOptions['externalData']>,
  ) {}

  graph(g: Graph): GraphSpec {
    return {
      name: g.name,
      nodes: g.nodes.map((n) => this.node(n)),
      initializers: g.initializers.map((t) => this.tensor(t)),
      sparseInitializers: g.sparseInitializers.map((s) => this.sparse(s)),
      inputs: g.inputs.map(valueInfo),
      outputs: g.outputs.map(valueInfo),
      valueInfo: g.valueInfo.map(valueInfo),
      docString: g.docString || undefined,
    };
  }

  fn(f: FunctionDef): FunctionSpec {
    return {
      name: f.name,
      domain: f.domain,
      overload: f.overload || undefined,
      inputs: [...f.inputs],
      outputs: [...f.outputs],
      attributes: [...f.attributes],
      nodes: f.nodes.map((n) => this.node(n)),
      opsetImports: f.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
      docString: f.docString || undefined,
    };
  }

  node(n: Node): NodeSpec {
    const attributes: Record<string, AttrSpec> = {};
    for (const a of n.attributes) attributes[a.name] = this.attribute(a);
    return {
      opType: n.opType,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
      name: n.name || undefined,
      domain: n.domain || undefined,
      docString: n.docString || undefined,
      attributes,
    };
  }

  private attribute(a: Attribute): AttrSpec {
    const v = a.value;
    switch (v.type) {
      case 'float': return { type: 'float', value: v.value };
      case 'int': return { type: 'int', value: v.value };
      case 'string': return { type: 'string', value: v.value };
      case 'floats': return { type: 'floats', value: v.value };
      case 'ints': return { type: 'ints', value: v.value };
      case 'strings': return { type: 'strings', value: v.value };
      case 'tensor': return { type: 'tensor', value: this.tensor(v.value) };
      case 'tensors': return { type: 'tensors', value: v.value.map((t) => this.tensor(t)) };
      case 'graph': return { type: 'graph', value: this.graph(v.value) };
      case 'graphs': return { type: 'graphs', value: v.value.map((g) => this.graph(g)) };
      case 'sparse_tensor': return { type: 'sparse', value: this.sparse(v.value) };
      case 'sparse_tensors': return { type: 'sparses', value: v.value.map((s) => this.sparse(s)) };
      case 'type_proto': return { type: 'type_proto', value: v.value };
      case 'type_protos': return { type: 'type_protos', value: v.value };
      case 'ref': return { type: 'ref', refAttrName: v.refAttrName };
      case 'undefined': return { type: 'undefined' };
    }
  }

  private sparse(s: SparseTensorRef): SparseTensorSpec {
    return { values: this.tensor(s.values), indices: this.tensor(s.indices), dims: [...s.dims] };
  }

  tensor(t: TensorRef): TensorSpec {
    const base = { name: t.name || undefined, dataType: t.dataType, dims: [...t.dims] };
    const s = t.storage;
    switch (s.kind) {
      case 'raw':
        return { ...base, lazy: lazyRange(this.ctx.model, s.offset, s.length) };
      case 'typed':
        return {
          ...base,
          typed: {
            field: s.field,
            encoded: s.segments.map((seg) => ({
              packed: seg.packed,
              // Packed runs can be large: stream them; single values are a few bytes.
              payload: seg.packed && seg.length > COPY_CHUNK ? lazyRange(this.ctx.model, seg.offset, seg.length) : this.ctx.model.read(seg.offset, seg.length).slice(),
            })),
          },
        };
      case 'external': {
        const ext = this.externalData;
        if (ext === 'inline') {
          const file = this.ctx.external.open(s.location);
          const length = s.length ?? file.source.size - s.offset;
          return { ...base, lazy: lazyRange(file.source, s.offset, length) };
        }
        const location = ext === 'keep' ? s.location : ext.rebase(s.location);
        return { ...base, external: { location, offset: s.offset, length: s.length, checksum: s.checksum } };
      }
      case 'inline-values':
        return { ...base, values: s.values };
      case 'none':
        return { ...base, empty: true };
    }
  }
}

function valueInfo(v: ValueInfo): ValueInfoSpec {
  return { name: v.name, type: v.type, docString: v.docString || undefined };
}
