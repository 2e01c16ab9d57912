import { DataType, type DataTypeName } from './model';

/** The typed repeated field of TensorProto that carries a data type when raw_data is not used. */
export type TypedField = 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';

/** Static facts about one TensorProto data type. */
export interface DataTypeInfo {
  readonly id: number;
  readonly name: DataTypeName;
  /** Bits per element in the raw_data layout (0 for STRING, whose size is per element). */
  readonly bits: number;
  /** Typed field used instead of raw_data (onnx.proto). */
  readonly typedField: TypedField;
  /** Elements carried by one entry of the typed field (4-bit types pack 2, 2-bit types 4 per int32). */
  readonly elementsPerTypedEntry: number;
  /** True when values decode to real numbers we can take statistics of. */
  readonly numeric: boolean;
  /** Why statistics are skipped for this type (string, complex). */
  readonly skipReason: string | undefined;
  readonly isFloat: boolean;
  readonly isInteger: boolean;
}

const INT32: TypedField = 'int32_data';

function info(name: DataTypeName, bits: number, typedField: TypedField, kind: 'float' | 'int' | 'string' | 'complex', perEntry = 1): DataTypeInfo {
  return {
    id: DataType[name],
    name,
    bits,
    typedField,
    elementsPerTypedEntry: perEntry,
    numeric: kind === 'float' || kind === 'int',
    skipReason: kind === 'string' ? 'STRING tensors hold text, not numbers' : kind === 'complex' ? `${name} tensors are complex-valued; statistics of real weights do not apply` : undefined,
    isFloat: kind === 'float',
    isInteger: kind === 'int',
  };
}

const TABLE: readonly DataTypeInfo[] = [
  info('FLOAT', 32, 'float_data', 'float'),
  info('UINT8', 8, INT32, 'int'),
  info('INT8', 8, INT32, 'int'),
  info('UINT16', 16, INT32, 'int'),
  info('INT16', 16, INT32, 'int'),
  info('INT32', 32, INT32, 'int'),
  info('INT64', 64, 'int64_data', 'int'),
  info('STRING', 0, 'string_data', 'string'),
  info('BOOL', 8, INT32, 'int'),
  info('FLOAT16', 16, INT32, 'float'),
  info('DOUBLE', 64, 'double_data', 'float'),
  info('UINT32', 32, 'uint64_data', 'int'),
  info('UINT64', 64, 'uint64_data', 'int'),
  info('COMPLEX64', 64, 'float_data', 'complex'),
  info('COMPLEX128', 128, 'double_data', 'complex'),
  info('BFLOAT16', 16, INT32, 'float'),
  info('FLOAT8E4M3FN', 8, INT32, 'float'),
  info('FLOAT8E4M3FNUZ', 8, INT32, 'float'),
  info('FLOAT8E5M2', 8, INT32, 'float'),
  info('FLOAT8E5M2FNUZ', 8, INT32, 'float'),
  info('UINT4', 4, INT32, 'int', 2),
  info('INT4', 4, INT32, 'int', 2),
  info('FLOAT4E2M1', 4, INT32, 'float', 2),
  info('FLOAT8E8M0', 8, INT32, 'float'),
  info('UINT2', 2, INT32, 'int', 4),
  info('INT2', 2, INT32, 'int', 4),
];

const BY_ID = new Map<number, DataTypeInfo>(TABLE.map((t) => [t.id, t]));

/** Facts about a data type id, or undefined for UNDEFINED (0) and ids not in onnx.proto (27+, negative). */
export function dataTypeInfo(id: number): DataTypeInfo | undefined {
  return BY_ID.get(id);
}

/** The onnx.proto name of a data type id, or `UNKNOWN(<id>)`. */
export function dataTypeName(id: number): string {
  return BY_ID.get(id)?.name ?? (id === 0 ? 'UNDEFINED' : `UNKNOWN(${id})`);
}

/**
 * Bytes the raw_data layout needs for `count` elements (sub-byte types round up), or undefined
 * for STRING (variable size) and unknown types.
 */
export function rawByteLength(id: number, count: number): number | undefined {
  const t = BY_ID.get(id);
  if (t === undefined || t.bits === 0) return undefined;
  return t.bits >= 8 ? count * (t.bits / 8) : Math.ceil((count * t.bits) / 8);
}
