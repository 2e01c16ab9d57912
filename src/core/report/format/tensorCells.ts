import type { ModelSummary, TensorReport } from '../reportModel';
import { displayString } from './displayString';
import { formatNumber, formatShape } from './formatNumber';

/** The tensor-table columns of the Markdown and HTML reports, in order. */
export const TENSOR_COLUMNS = [
  { key: 'name', title: 'tensor' },
  { key: 'role', title: 'role' },
  { key: 'dtype', title: 'dtype' },
  { key: 'shape', title: 'shape' },
  { key: 'uses', title: 'used by' },
  { key: 'mean', title: 'mean' },
  { key: 'std', title: 'std' },
  { key: 'zeros', title: 'zero fraction' },
  { key: 'storage', title: 'storage / skipped' },
] as const;

export type TensorColumn = (typeof TENSOR_COLUMNS)[number]['key'];

const MAX_USES_SHOWN = 3;

/** One non-layer tensor as display strings (neutralized and elided, not escaped). */
export function tensorCells(t: TensorReport, nameMax = 60): Record<TensorColumn, string> {
  const uses = t.uses.slice(0, MAX_USES_SHOWN).map((u) => `${displayString(u.node, 40)} (${displayString(u.op, 24)})`);
  if (t.uses.length > MAX_USES_SHOWN) uses.push(`+${t.uses.length - MAX_USES_SHOWN} more`);
  return {
    name: displayString(t.name, nameMax),
    role: displayString(t.role, 32),
    dtype: displayString(t.dtype, 16),
    shape: formatShape(t.shape),
    uses: uses.join(', ') || '—',
    mean: formatNumber(t.stats?.mean ?? null),
    std: formatNumber(t.stats?.std ?? null),
    zeros: formatNumber(t.stats?.zeroFraction ?? null),
    storage: t.skipped ? `skipped: ${displayString(t.skipped, 200)}` : displayString(t.storage, 80),
  };
}

/** `name: FLOAT [1×N]` for a graph input / output (neutralized and elided, not escaped). */
export function valueInfoText(v: ModelSummary['inputs'][number]): string {
  const shape = v.shape.map((d) => (d === null ? '?' : typeof d === 'number' ? String(d) : displayString(d, 24))).join('×');
  return `${displayString(v.name, 60)}: ${displayString(v.dtype, 16)} [${shape}]`;
}
