import type { LayerReport } from '../reportModel';
import { displayString } from './displayString';
import { formatNumber, formatRatio, formatShape } from './formatNumber';

/** The layer-table columns every report format shows, in order. */
export const LAYER_COLUMNS = [
  { key: 'index', title: '#' },
  { key: 'node', title: 'node' },
  { key: 'op', title: 'op' },
  { key: 'weight', title: 'weight' },
  { key: 'shape', title: 'shape' },
  { key: 'fanIn', title: 'fan_in' },
  { key: 'fanOut', title: 'fan_out' },
  { key: 'activation', title: 'activation' },
  { key: 'std', title: 'std' },
  { key: 'xavier', title: 'Xavier std' },
  { key: 'he', title: 'He std' },
  { key: 'recommended', title: 'recommended' },
  { key: 'ratio', title: 'ratio' },
  { key: 'scheme', title: 'matched scheme' },
  { key: 'state', title: 'trained/fresh' },
  { key: 'findings', title: 'findings' },
] as const;

export type LayerColumn = (typeof LAYER_COLUMNS)[number]['key'];

/**
 * One layer as display strings, shared by the text, Markdown and HTML formats so they agree.
 * Model strings are neutralized and elided to `nameMax` but NOT escaped: each format escapes
 * for its own syntax. `Xavier std` / `He std` are the textbook values (gain 1 / ReLU gain √2);
 * `recommended` is the chosen scheme's std with the gain of the activation found, and the ratio
 * is the measured std over it.
 */
export function layerCells(layer: LayerReport, nameMax = 40, schemeMax = 32): Record<LayerColumn, string> {
  const codes = [...new Set(layer.findings.map((f) => f.code))];
  return {
    index: String(layer.index),
    node: displayString(layer.node, nameMax),
    op: displayString(layer.op, 24),
    weight: displayString(layer.weight, nameMax),
    shape: formatShape(layer.shape),
    fanIn: formatNumber(layer.fanIn),
    fanOut: formatNumber(layer.fanOut),
    activation: displayString(layer.activation, 24),
    std: formatNumber(layer.stats.std),
    xavier: formatNumber(layer.recommended.xavier?.std ?? null),
    he: formatNumber(layer.recommended.he?.std ?? null),
    recommended: recommendedCell(layer),
    ratio: formatRatio(layer.ratio),
    scheme: layer.matchedScheme ? displayString(layer.matchedScheme.label, schemeMax) : '—',
    state: layer.verdict,
    findings: codes.length ? codes.map((c) => displayString(c, 48)).join(', ') : '—',
  };
}

/** `0.1701 xavier·1.667`: the recommended std, its scheme, and the gain when it is not the textbook one. */
function recommendedCell(layer: LayerReport): string {
  const r = layer.recommended;
  if (r.std === null || r.scheme === null) return '—';
  const textbookGain = r.scheme === 'he' ? Math.SQRT2 : 1;
  const gain = Math.abs(r.gain - textbookGain) > 1e-9 ? `·${formatNumber(r.scheme === 'he' ? r.gain / Math.SQRT2 : r.gain)}` : '';
  return `${formatNumber(r.std)} ${r.scheme}${gain}`;
}
