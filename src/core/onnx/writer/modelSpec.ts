/**
 * Plain description of an ONNX model for `writeModel`: what tests, the probe, the fine-tune export
 * and the benchmarks build. Only what they need is modelled; everything is optional where
 * onnx.proto makes it optional, and fields are written only when set.
 */
import type { LazyBytes } from '../../protobuf/wireWriter';

export interface ModelSpec {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetSpec[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  readonly metadata?: readonly { readonly key: string; readonly value: string }[];
  readonly graph: GraphSpec;
  readonly functions?: readonly FunctionSpec[];
}

export interface OpsetSpec {
  readonly domain: string;
  readonly version: number;
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorSpec[];
  readonly sparseInitializers?: readonly SparseTensorSpec[];
  readonly inputs: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
  readonly valueInfo?: readonly ValueInfoSpec[];
  readonly docString?: string;
}

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly docString?: string;
  /** Written in insertion order. */
  readonly attributes?: Readonly<Record<string, AttrSpec>>;
}

/**
 * An attribute value. Bare numbers/strings/arrays are shorthand: an integer number is INT, a
 * non-integer FLOAT, a string STRING, a number[] INTS if all integers else FLOATS, a string[]
 * STRINGS. Use the tagged form to force a type (e.g. `{ type: 'float', value: 1 }`).
 */
export type AttrSpec =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number | bigint }
  | { readonly type: 'string'; readonly value: string | Uint8Array }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly type: 'strings'; readonly value: readonly (string | Uint8Array)[] }
  | { readonly type: 'tensor'; readonly value: TensorSpec }
  | { readonly type: 'tensors'; readonly value: readonly TensorSpec[] }
  | { readonly type: 'graph'; readonly value: GraphSpec }
  | { readonly type: 'graphs'; readonly value: readonly GraphSpec[] }
  | { readonly type: 'sparse'; readonly value: SparseTensorSpec }
  | { readonly type: 'sparses'; readonly value: readonly SparseTensorSpec[] }
  | { readonly type: 'type_proto'; readonly value: TypeSpec }
  | { readonly type: 'type_protos'; readonly value: readonly TypeSpec[] }
  /** A reference to an attribute of the enclosing function (`ref_attr_name`); `attrType` is the AttributeType number, if known. */
  | { readonly type: 'ref'; readonly refAttrName: string; readonly attrType?: number }
  /** Only the name (an attribute with no value: hostile-file and reader tests). */
  | { readonly type: 'undefined' };

/** TypeProto (the normalized `TypeInfo` of model.ts is assignable to it). */
export type TypeSpec =
  | { readonly kind: 'tensor' | 'sparse_tensor'; readonly elemType: number; readonly shape: readonly DimSpec[] | undefined }
  | { readonly kind: 'sequence' | 'optional'; readonly elem: TypeSpec | undefined }
  | { readonly kind: 'map'; readonly keyType: number; readonly value: TypeSpec | undefined }
  | { readonly kind: 'unknown' };

/** A dim is a size (dim_value), a symbolic name (dim_param) or null (unknown). */
export type DimSpec = number | string | null;

/**
 * A ValueInfoProto. The common case is a tensor: `elemType` + `shape`. `type` describes any other
 * TypeProto (sequence, map, optional, sparse) and wins when given; with neither, no type is written.
 */
export interface ValueInfoSpec {
  readonly name: string;
  readonly elemType?: number;
  /** Undefined means "no shape" (unknown rank). */
  readonly shape?: readonly DimSpec[];
  readonly type?: TypeSpec;
  readonly docString?: string;
}

export type TypedFieldName = 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';

/** Tensor payload stored in a typed repeated field instead of raw_data (tests of those paths). */
export type TypedDataSpec =
  | {
      readonly field: TypedFieldName;
      /** Values as written to the field (int32_data for float16 holds the bit patterns). */
      readonly values: ArrayLike<number | bigint> | readonly (string | Uint8Array)[];
      /** Packed (default, what onnx writes) or one field occurrence per value. */
      readonly packed?: boolean;
    }
  | {
      readonly field: TypedFieldName;
      /**
       * Field occurrences already wire-encoded, in order (copied from a parsed file): a packed
       * occurrence's payload is the packed bytes; an unpacked one's is one encoded value.
       */
      readonly encoded: readonly { readonly packed: boolean; readonly payload: Uint8Array | LazyBytes }[];
    };

export interface ExternalSpec {
  readonly location: string;
  readonly offset?: number;
  readonly length?: number;
  readonly checksum?: string;
  /** Extra key/value pairs appended as they are (hostile-file tests). */
  readonly extra?: readonly { readonly key: string; readonly value: string }[];
}

interface TensorBase {
  /** Omitted name writes no name field (attribute tensors). */
  readonly name?: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  readonly docString?: string;
}

/** Exactly one payload form. */
export type TensorSpec = TensorBase &
  (
    | { readonly values: ArrayLike<number> }
    | { readonly raw: Uint8Array }
    | { readonly lazy: LazyBytes }
    | { readonly typed: TypedDataSpec }
    | { readonly external: ExternalSpec }
    | { readonly empty: true }
  );

export interface SparseTensorSpec {
  readonly values: TensorSpec;
  readonly indices: TensorSpec;
  readonly dims: readonly number[];
}

export interface FunctionSpec {
  readonly name: string;
  readonly domain: string;
  readonly overload?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly string[];
  readonly nodes: readonly NodeSpec[];
  readonly opsetImports: readonly OpsetSpec[];
  readonly docString?: string;
}
