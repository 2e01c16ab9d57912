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
  /** A reference to an attribute of the enclosing function (`ref_attr_name`); `attrType` is the AttributeType number. */
  | { readonly type: 'ref'; readonly refAttrName: string; readonly attrType: number };

/** A dim is a size (dim_value), a symbolic name (dim_param) or null (unknown). */
export type DimSpec = number | string | null;

export interface ValueInfoSpec {
  readonly name: string;
  readonly elemType: number;
  /** Undefined means "no shape" (unknown rank). */
  readonly shape?: readonly DimSpec[];
  readonly docString?: string;
}

/** Tensor payload stored in a typed repeated field instead of raw_data (tests of those paths). */
export interface TypedDataSpec {
  readonly field: 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';
  /** Values as written to the field (int32_data for float16 holds the bit patterns). */
  readonly values: ArrayLike<number | bigint> | readonly (string | Uint8Array)[];
  /** Packed (default, what onnx writes) or one field occurrence per value. */
  readonly packed?: boolean;
}

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
