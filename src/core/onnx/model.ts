/**
 * The normalized, lazy view of an ONNX model that the reader produces and the analysis consumes.
 * Decoding the graph never copies tensor payloads: a tensor is a handle saying where its bytes
 * are (an offset in the model file, a typed repeated field, or an external file); values are
 * decoded in chunks on demand by `tensorValues.ts`.
 */

/** TensorProto.DataType values (onnx.proto). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
  UINT2: 25,
  INT2: 26,
} as const;
export type DataTypeName = keyof typeof DataType;

/** Where a tensor's bytes live. Offsets are absolute byte offsets in the named file. */
export type TensorStorage =
  /** `raw_data` inside the model file. */
  | { readonly kind: 'raw'; readonly offset: number; readonly length: number }
  /**
   * A typed repeated field inside the model file (`float_data`, `int32_data`, ...). `segments`
   * lists every occurrence of the field (packed or not) in file order, as byte ranges of the
   * field payload; `packed` tells how each was encoded.
   */
  | {
      readonly kind: 'typed';
      readonly field: 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';
      readonly segments: readonly { readonly offset: number; readonly length: number; readonly packed: boolean }[];
    }
  /** `data_location = EXTERNAL`. `length` undefined means "to the end of the file". */
  | {
      readonly kind: 'external';
      readonly location: string;
      readonly offset: number;
      readonly length: number | undefined;
      readonly checksum: string | undefined;
    }
  /** Attribute scalars/lists of a Constant node (value_float(s) / value_int(s)), already decoded. */
  | { readonly kind: 'inline-values'; readonly values: readonly number[] }
  /** No data field at all (valid only for empty tensors). */
  | { readonly kind: 'none' };

/** Where an initializer-like tensor came from in the model. */
export type WeightOrigin =
  | 'initializer'
  | 'sparse-initializer'
  | 'constant-node'
  | 'function-constant';

/** A lazy tensor handle. */
export interface TensorRef {
  readonly name: string;
  readonly dataType: number;
  /** Declared dims, as safe integers (the reader refuses tensors whose dims are not). */
  readonly dims: readonly number[];
  /** Product of dims. */
  readonly elementCount: number;
  readonly storage: TensorStorage;
  /** Why this tensor cannot be decoded (bad dims, size mismatch, unknown type, refused external data). */
  readonly refusal: TensorRefusal | undefined;
  /** Non-fatal oddities (e.g. float16 int32_data with bits above 16 set). */
  readonly warnings: readonly string[];
  /** Byte offset of the TensorProto in the model file, for messages. */
  readonly protoOffset: number;
}

export interface TensorRefusal {
  /** Stable kebab-case rule id, e.g. `dims-negative`, `raw-data-size-mismatch`, `external-path-traversal`. */
  readonly rule: string;
  readonly message: string;
}

/** A sparse tensor: values + indices with a dense shape. */
export interface SparseTensorRef {
  readonly name: string;
  readonly values: TensorRef;
  readonly indices: TensorRef;
  readonly dims: readonly number[];
}

export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: TensorRef }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'sparse_tensor'; readonly value: SparseTensorRef }
  | { readonly type: 'type_proto'; readonly value: TypeInfo }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly TensorRef[] }
  | { readonly type: 'graphs'; readonly value: readonly Graph[] }
  | { readonly type: 'sparse_tensors'; readonly value: readonly SparseTensorRef[] }
  | { readonly type: 'type_protos'; readonly value: readonly TypeInfo[] }
  | { readonly type: 'ref'; readonly refAttrName: string }
  | { readonly type: 'undefined' };

export interface Attribute {
  readonly name: string;
  readonly value: AttributeValue;
  readonly docString: string;
}

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly Attribute[];
  readonly docString: string;
  /** Index in its graph's node list. */
  readonly index: number;
}

/** TypeProto, normalized. Dims are numbers (dim_value), strings (dim_param) or null (unknown). */
export type TypeInfo =
  | { readonly kind: 'tensor'; readonly elemType: number; readonly shape: readonly (number | string | null)[] | undefined }
  | { readonly kind: 'sparse_tensor'; readonly elemType: number; readonly shape: readonly (number | string | null)[] | undefined }
  | { readonly kind: 'sequence'; readonly elem: TypeInfo | undefined }
  | { readonly kind: 'optional'; readonly elem: TypeInfo | undefined }
  | { readonly kind: 'map'; readonly keyType: number; readonly value: TypeInfo | undefined }
  | { readonly kind: 'unknown' };

export interface ValueInfo {
  readonly name: string;
  readonly type: TypeInfo | undefined;
  readonly docString: string;
}

export interface Graph {
  readonly name: string;
  /** Path from the model root, e.g. `graph` or `graph/node[3:If]/then_branch`. */
  readonly path: string;
  readonly nodes: readonly Node[];
  readonly initializers: readonly TensorRef[];
  readonly sparseInitializers: readonly SparseTensorRef[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
  readonly docString: string;
  /** The enclosing graph for subgraphs (outer-scope lookup), undefined for the main graph. */
  readonly parent: Graph | undefined;
}

export interface OperatorSetId {
  readonly domain: string;
  readonly version: number;
}

export interface FunctionDef {
  readonly name: string;
  readonly domain: string;
  readonly overload: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly string[];
  readonly nodes: readonly Node[];
  readonly opsetImports: readonly OperatorSetId[];
  readonly docString: string;
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsetImports: readonly OperatorSetId[];
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  readonly graph: Graph;
  readonly functions: readonly FunctionDef[];
  /** Size of the model file in bytes. */
  readonly fileSize: number;
  /** Model-level warnings (duplicate names, missing references, cycles, odd opsets, ...). */
  readonly warnings: readonly ModelWarning[];
}

export interface ModelWarning {
  readonly code: string;
  readonly message: string;
  readonly offset?: number;
}

/**
 * One weight-like tensor wherever it lives, with where it came from. The reader's
 * `collectWeights(model)` returns these uniformly for graph initializers, sparse initializers,
 * Constant nodes (value / value_float(s) / value_int(s) / sparse_value), subgraphs and functions.
 */
export interface WeightEntry {
  /** The name nodes use to refer to it (initializer name or the Constant node's output). */
  readonly name: string;
  readonly tensor: TensorRef;
  readonly origin: WeightOrigin;
  /** The graph (or `function:<domain>.<name>`) whose scope defines it. */
  readonly graphPath: string;
  /** For sparse tensors: the sparse description (tensor holds the values). */
  readonly sparse?: SparseTensorRef;
  /** For Constant nodes: the node and which attribute carried the value. */
  readonly constantNode?: { readonly node: string; readonly attribute: string; readonly nodeIndex?: number };
}
