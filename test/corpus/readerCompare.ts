// Shared by the reader corpus / hostile tests: decode a tensor with the real reader and compare
// its statistics with a corpus reference record (README-thirdparty.md conventions).
import {
  computeTensorStats, dataTypeInfo, exactIntegerExtremes, nonNanView, tensorValueChunks,
  type TensorDataContext, type TensorRef, type TensorStats, type TensorStorage,
} from '../../src/core/index';

/** The reference JSON's name for a storage kind. */
export function storageName(s: TensorStorage): string {
  switch (s.kind) {
    case 'raw': return 'raw_data';
    case 'typed': return s.field;
    case 'external': return 'external';
    case 'none': return 'none';
    case 'inline-values': return 'attribute';
  }
}

/** Reference numbers: JSON strings for NaN / ±Infinity and decimal strings for big integers. */
function refValue(v: unknown): number | bigint | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new Error(`unexpected reference value ${JSON.stringify(v)}`);
}

const close = (got: number, ref: number): boolean =>
  Object.is(got, ref) || (Number.isNaN(got) && Number.isNaN(ref)) || Math.abs(got - ref) <= 1e-9 + 1e-9 * Math.abs(ref);
const same = (got: number | null, ref: number | null): boolean =>
  got === ref || (got !== null && ref !== null && (got === ref || (Number.isNaN(got) && Number.isNaN(ref))));

export interface RefStats {
  count: number; nan_count: number; inf_count: number; zero_fraction: unknown;
  mean: unknown; std: unknown; min: unknown; max: unknown;
}

/** Decodes a tensor fully; returns its float64 statistics (throws the reader's typed errors). */
export function statsOf(t: TensorRef, ctx: TensorDataContext): TensorStats {
  return computeTensorStats(tensorValueChunks(t, ctx));
}

/** Compares a decoded tensor with a reference `stats` record; returns mismatch descriptions. */
export function compareWithReference(label: string, t: TensorRef, ctx: TensorDataContext, ref: RefStats): string[] {
  const out: string[] = [];
  const s = nonNanView(statsOf(t, ctx));
  if (s.count !== ref.count) out.push(`${label}: count ${s.count} != ${ref.count}`);
  if (s.nanCount !== ref.nan_count) out.push(`${label}: nan_count ${s.nanCount} != ${ref.nan_count}`);
  if (s.infCount !== ref.inf_count) out.push(`${label}: inf_count ${s.infCount} != ${ref.inf_count}`);
  if (!same(s.zeroFraction, refValue(ref.zero_fraction) as number | null)) out.push(`${label}: zero_fraction ${s.zeroFraction} != ${String(ref.zero_fraction)}`);
  for (const k of ['mean', 'std'] as const) {
    const r = refValue(ref[k]);
    const g = s[k];
    if (r === null || g === null ? r !== g : !close(g, Number(r))) out.push(`${label}: ${k} ${g} != ${String(ref[k])}`);
  }
  const needExact = typeof ref.min === 'string' && /\d/.test(ref.min) || typeof ref.max === 'string' && /\d/.test(ref.max);
  const exact = needExact ? exactIntegerExtremes(t, ctx) : undefined;
  for (const k of ['min', 'max'] as const) {
    const r = refValue(ref[k]);
    if (typeof r === 'bigint') {
      const g = exact?.[k];
      if (g !== r) out.push(`${label}: exact ${k} ${String(g)} != ${r}`);
    } else if (!same(s[k], r)) out.push(`${label}: ${k} ${s[k]} != ${String(ref[k])}`);
  }
  return out;
}

/** Reference records of tensors the reader must handle: numeric ones get full stats. */
export function isNumeric(t: TensorRef): boolean {
  return dataTypeInfo(t.dataType)?.numeric === true;
}
