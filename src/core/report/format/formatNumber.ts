/**
 * Number formatting shared by the text, Markdown and HTML reports, so the three show the same
 * digits. Four significant digits; exponent notation outside [1e-3, 1e5); `—` for unknown.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e9) return String(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2).replace('e+', 'e');
  return trimZeros(value.toPrecision(4));
}

/** A ratio like `1.00×`; `—` when unknown. */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e4 || abs < 1e-2)) return `${value.toExponential(1).replace('e+', 'e')}×`;
  return `${value.toFixed(2)}×`;
}

/** `[64, 3, 3, 3]` → `64×3×3×3`; a scalar is `scalar`. */
export function formatShape(shape: readonly (number | string | null)[]): string {
  return shape.length === 0 ? 'scalar' : shape.map((d) => (d === null ? '?' : String(d))).join('×');
}

/** Integer with thin grouping, e.g. `1 234 567`. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : '—';
}

/** Bytes in B / KiB / MiB / GiB. */
export function formatBytes(value: number): string {
  if (!Number.isFinite(value) || value < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}
