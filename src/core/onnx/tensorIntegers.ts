import { TensorDecodeError } from '../errors';
import { WireReader } from '../protobuf/wireReader';
import { DataType, type TensorRef } from './model';
import { checkTensorData, type TensorDataContext } from './tensorValues';

const CHUNK_BYTES = 1 << 19;

/**
 * Exact min / max of an INT64 or UINT64 tensor as bigints (float64 statistics round integers
 * beyond 2^53; the reference JSON writes those as decimal strings). Undefined for other types
 * and empty tensors. Reads the data once more, in bounded chunks.
 */
export function exactIntegerExtremes(tensor: TensorRef, ctx: TensorDataContext): { min: bigint; max: bigint } | undefined {
  const signed = tensor.dataType === DataType.INT64;
  if (!signed && tensor.dataType !== DataType.UINT64) return undefined;
  if (tensor.elementCount === 0) return undefined;
  const refusal = checkTensorData(tensor, ctx);
  if (refusal !== undefined) throw new TensorDecodeError(tensor.name, refusal.rule, refusal.message);
  let min: bigint | undefined;
  let max: bigint | undefined;
  const see = (v: bigint): void => {
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  };
  const s = tensor.storage;
  if (s.kind === 'raw' || s.kind === 'external') {
    const source = s.kind === 'raw' ? ctx.model : ctx.external.open(s.location).source;
    const total = tensor.elementCount * 8;
    for (let done = 0; done < total; done += CHUNK_BYTES) {
      const n = Math.min(CHUNK_BYTES, total - done);
      const bytes = source.read(s.offset + done, n);
      if (bytes.length < n) throw new TensorDecodeError(tensor.name, 'truncated-data', `tensor "${tensor.name}": data ends early`);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n; i += 8) see(signed ? dv.getBigInt64(i, true) : dv.getBigUint64(i, true));
    }
  } else if (s.kind === 'typed') {
    const r = new WireReader(ctx.model, 1 << 16);
    for (const seg of s.segments) {
      r.pos = seg.offset;
      const end = seg.offset + seg.length;
      while (r.pos < end) {
        r.varintParts(end);
        const v = (BigInt(r.hi) << 32n) | BigInt(r.lo);
        see(signed ? BigInt.asIntN(64, v) : v);
      }
    }
  } else if (s.kind === 'inline-values') {
    for (const v of s.values) see(BigInt(v));
  }
  return min === undefined || max === undefined ? undefined : { min, max };
}
