import { DataType, type TensorRef, type TensorRefusal, type TensorStorage } from './model';
import { dataTypeInfo, dataTypeName, rawByteLength, type TypedField } from './dataTypes';
import type { TensorBuilder } from './decodeTensor';
import { checkExternalLocation } from './externalLocation';

/** Rank above which a tensor gets a warning (shapes this deep are never real weights). */
const MAX_SANE_RANK = 64;
const KNOWN_EXTERNAL_KEYS = new Set(['location', 'offset', 'length', 'checksum']);

function refuse(rule: string, message: string): TensorRefusal {
  return { rule, message };
}

/** A non-negative decimal integer string that is a safe integer, else undefined. */
function parseExternalInteger(value: string): number | undefined {
  if (!/^[0-9]{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function describe(b: TensorBuilder): string {
  return `tensor "${b.name}"`;
}

interface ExternalParse {
  readonly storage: TensorStorage;
  readonly refusal: TensorRefusal | undefined;
}

function parseExternal(b: TensorBuilder, expectedBytes: number | undefined, warnings: string[]): ExternalParse {
  let location: string | undefined;
  let offset = 0;
  let length: number | undefined;
  let checksum: string | undefined;
  let refusal: TensorRefusal | undefined;
  const who = describe(b);
  for (const { key, value } of b.external) {
    if (key === 'location') location = value;
    else if (key === 'offset') {
      const n = parseExternalInteger(value);
      if (n === undefined) refusal ??= refuse('external-bad-offset', `${who}: external_data offset "${value}" is invalid (must be a non-negative decimal integer${value.startsWith('-') ? '; negative offsets are not allowed' : ''})`);
      else offset = n;
    } else if (key === 'length') {
      const n = parseExternalInteger(value);
      if (n === undefined) refusal ??= refuse('external-bad-length', `${who}: external_data length "${value}" is invalid (must be a non-negative decimal integer${value.startsWith('-') ? '; negative lengths are not allowed' : ''})`);
      else length = n;
    } else if (key === 'checksum') checksum = value;
    else if (!KNOWN_EXTERNAL_KEYS.has(key)) {
      warnings.push(key === 'basepath' ? `external_data key "basepath" ignored: locations always resolve against the model's own folder` : `unknown external_data key "${key}" ignored`);
    }
  }
  if (checksum !== undefined) warnings.push('external_data checksum present but not verified');
  const storage: TensorStorage = { kind: 'external', location: location ?? '', offset, length, checksum };
  if (location === undefined) return { storage, refusal: refuse('external-bad-location', `${who}: data_location is EXTERNAL but external_data has no "location" key (missing location)`) };
  if (refusal !== undefined) return { storage, refusal };
  const locationProblem = checkExternalLocation(location);
  if (locationProblem !== undefined) return { storage, refusal: refuse(`external-${locationProblem.rule}`, `${who}: ${locationProblem.message}`) };
  if (length !== undefined && expectedBytes !== undefined && length !== expectedBytes) {
    return { storage, refusal: refuse('external-length-mismatch', `${who}: external_data length ${length} does not match the ${expectedBytes} bytes expected from dims × element size`) };
  }
  return { storage, refusal: undefined };
}

function dimsRefusal(b: TensorBuilder): { count: number; refusal: TensorRefusal | undefined } {
  const who = describe(b);
  if (b.dims.some((d) => d < 0)) return { count: 0, refusal: refuse('dims-negative', `${who}: negative dim in dims [${b.dims.slice(0, 8).join(', ')}${b.dims.length > 8 ? ', …' : ''}]`) };
  if (b.dimsUnsafe) return { count: 0, refusal: refuse('dims-too-large', `${who}: a dim is too large (above 2^53): element count overflow`) };
  let count = 1;
  for (const d of b.dims) count *= d;
  if (count > Number.MAX_SAFE_INTEGER) return { count: 0, refusal: refuse('dims-product-too-large', `${who}: element count of dims [${b.dims.slice(0, 8).join(', ')}] is too large (product overflows 2^53)`) };
  return { count, refusal: undefined };
}

/** Validates a decoded TensorProto and turns it into a lazy handle with a refusal when unusable. */
export function finalizeTensor(b: TensorBuilder): TensorRef {
  const warnings: string[] = [];
  const who = describe(b);
  const dimsCheck = dimsRefusal(b);
  const count = dimsCheck.count;
  let refusal = dimsCheck.refusal;
  if (b.dims.length > MAX_SANE_RANK) warnings.push(`rank ${b.dims.length} is unusually high`);
  const info = dataTypeInfo(b.dataType);
  if (refusal === undefined && info === undefined) {
    refusal = refuse(b.dataType === 0 ? 'undefined-data-type' : 'unknown-data-type', `${who}: data_type ${b.dataType} (${dataTypeName(b.dataType)}) is unknown or unsupported`);
  }
  if (refusal === undefined && b.hasSegment) refusal = refuse('segment-unsupported', `${who}: the TensorProto segment field is unsupported (a partial tensor cannot be checked)`);
  const expectedBytes = info === undefined ? undefined : rawByteLength(info.id, count);

  const fields: string[] = [];
  if (b.raw !== undefined) fields.push('raw_data');
  for (const [f, e] of b.typed) if (e.entries > 0) fields.push(f);
  const external = b.dataLocation === 1;
  if (b.dataLocation !== 0 && b.dataLocation !== 1) warnings.push(`unknown data_location ${b.dataLocation} treated as DEFAULT`);
  if (!external && b.external.length > 0) warnings.push('external_data entries present but data_location is not EXTERNAL: ignored');

  let storage: TensorStorage;
  if (external) {
    const ext = parseExternal(b, expectedBytes, warnings);
    storage = ext.storage;
    if (refusal === undefined && fields.length > 0) refusal = refuse('external-with-inline-data', `${who}: data_location is EXTERNAL but the tensor also has inline ${fields.join(' and ')} (both are set)`);
    refusal ??= ext.refusal;
  } else if (b.raw !== undefined) {
    storage = { kind: 'raw', offset: b.raw.offset, length: b.raw.length };
  } else {
    const typed = fields[0] as TypedField | undefined;
    const e = typed === undefined ? undefined : b.typed.get(typed);
    storage = typed !== undefined && e !== undefined ? { kind: 'typed', field: typed, segments: e.segments } : { kind: 'none' };
  }

  if (refusal === undefined && !external && fields.length > 1) refusal = refuse('multiple-data-fields', `${who}: more than one data field is set (${fields.join(' and ')}); exactly one is allowed`);
  if (refusal === undefined && info !== undefined && !external) {
    if (storage.kind === 'raw') {
      if (info.id === DataType.STRING) refusal = refuse('string-in-raw-data', `${who}: STRING tensors must use string_data, not raw_data`);
      else if (storage.length !== expectedBytes) refusal = refuse('raw-data-size-mismatch', `${who}: raw_data size is ${storage.length} bytes but dims × element size give ${expectedBytes} bytes (mismatch)`);
    } else if (storage.kind === 'typed') {
      const e = b.typed.get(storage.field);
      const entries = e?.entries ?? 0;
      const complex = info.id === DataType.COMPLEX64 || info.id === DataType.COMPLEX128;
      const expectedEntries = complex ? 2 * count : Math.ceil(count / info.elementsPerTypedEntry);
      if (storage.field !== info.typedField) refusal = refuse('typed-field-mismatch', `${who}: ${info.name} data must be in ${info.typedField}, not ${storage.field}`);
      else if (entries !== expectedEntries) refusal = refuse('typed-data-count-mismatch', `${who}: ${storage.field} has ${entries} entries but dims [${b.dims.slice(0, 8).join(', ')}] expect ${expectedEntries} (count mismatch)`);
      else if (e !== undefined && storage.field === 'int32_data' && info.isFloat) {
        if (info.bits === 16 ? e.above16 : e.above8) warnings.push(`${info.name} bit patterns in int32_data have bits above ${info.bits} set; they are masked to ${info.bits} bits`);
      }
    } else if (storage.kind === 'none' && count !== 0) {
      refusal = refuse('no-data', `${who}: no data field is set but dims [${b.dims.slice(0, 8).join(', ')}] expect ${count} elements`);
    }
  }
  return {
    name: b.name,
    dataType: b.dataType,
    dims: b.dims,
    elementCount: refusal?.rule.startsWith('dims-') ? 0 : count,
    storage,
    refusal,
    warnings,
    protoOffset: b.protoOffset,
  };
}
