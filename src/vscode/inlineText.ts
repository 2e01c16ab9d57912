import type { ProbeLayerReport } from '../core/probe/probeTypes';
import type { LayerReport, Report } from '../core/report/reportModel';
import { displayString } from '../core/report/format/displayString';
import { formatNumber as fmt, formatRatio } from '../core/report/format/formatNumber';
import { summarizeSeverities } from '../core/report/format/severity';

/**
 * The text of the inline view (pure: no vscode, so adapter tests read it directly). One line per
 * graph input and per layer in graph order, then the other tensors that carry findings; every
 * finding is anchored to exactly one line, which is where its squiggle and Problems entry point.
 */

export type InlineLineKind = 'header' | 'section' | 'input' | 'layer' | 'tensor';

export interface InlineLine {
  readonly kind: InlineLineKind;
  readonly text: string;
  readonly layerId?: string;
  readonly tensor?: string;
}

export interface InlineReport {
  readonly lines: readonly InlineLine[];
  /** Line of each finding, parallel to `report.findings`. */
  readonly findingLines: readonly number[];
  readonly text: string;
}

// Names come from the model: displayString makes control, line-break and bidi characters
// visible escapes (a name with "\n" must not shift every squiggle below it) and elides huge ones.
const safe = (value: string): string => displayString(value, 80);
const shape = (dims: readonly (number | string | null)[]): string => `[${dims.map((d) => (d === null ? '?' : safe(String(d)))).join(',')}]`;

/**
 * One layer's line; with a probe run, its measured output std, its gain and the forecast std at
 * that depth follow (`act_std` / `gain` / `forecast`), so a vanishing signal reads along the lines.
 */
export function layerLine(l: LayerReport, probe?: ProbeLayerReport): string {
  const match = l.matchedScheme ? `${safe(l.matchedScheme.label)}(${formatRatio(l.matchedScheme.ratio)})` : '—';
  return [
    `L${l.index}`, safe(l.op), safe(l.node), `W=${safe(l.weight)}${shape(l.shape)}`,
    `fan_in=${fmt(l.fanIn)}`, `fan_out=${fmt(l.fanOut)}`, `std=${fmt(l.stats.std)}`,
    `rec=${fmt(l.recommended.std)}${l.recommended.scheme ? `(${l.recommended.scheme})` : ''}`,
    `ratio=${formatRatio(l.ratio)}`, `match=${match}`, `verdict=${l.verdict}`,
    ...(probe ? [`act_std=${fmt(probe.std)}`, `gain=${fmt(probe.gain)}`, `forecast=${fmt(probe.forecastStd)}`] : []),
  ].join('  ');
}

export function renderInlineReport(report: Report, fileName: string): InlineReport {
  const lines: InlineLine[] = [];
  const m = report.model;
  lines.push({
    kind: 'header',
    text: `# ${safe(fileName)}  ir=${m.irVersion}  layers=${report.layers.length}  params=${m.parameterCount}  verdict=${m.verdict}  findings: ${summarizeSeverities(report.findings)}`,
  });
  lines.push({ kind: 'section', text: '## inputs' });
  for (const i of m.inputs) lines.push({ kind: 'input', tensor: i.name, text: `input  ${safe(i.name)}  ${safe(i.dtype)}${shape(i.shape)}` });
  const probed = new Map((report.probe?.layers ?? []).map((p) => [p.layerId, p]));
  lines.push({ kind: 'section', text: report.probe ? `## layers (graph order; act_std / gain: measured by the probe, seed ${report.probe.seed}, ${report.probe.batches} batches)` : '## layers (graph order)' });
  const layerLineOf = new Map<string, number>();
  const weightLineOf = new Map<string, number>();
  const nodeLineOf = new Map<string, number>();
  for (const l of report.layers) {
    if (!nodeLineOf.has(l.node)) nodeLineOf.set(l.node, lines.length);
    layerLineOf.set(`${l.weight}\u0000${l.node}`, lines.length);
    if (!weightLineOf.has(l.weight)) weightLineOf.set(l.weight, lines.length);
    lines.push({ kind: 'layer', layerId: l.id, tensor: l.weight, text: layerLine(l, probed.get(l.id)) });
  }
  // Findings about tensors that are not a layer's weight (biases, BN params, refused external
  // data) get a line of their own so that they too have a place to squiggle.
  const tensorLineOf = new Map<string, number>();
  const extra = report.findings.filter((f) => f.tensor !== null && !weightLineOf.has(f.tensor));
  if (extra.length > 0) {
    lines.push({ kind: 'section', text: '## other tensors with findings' });
    for (const f of extra) {
      const tensor = f.tensor as string;
      if (tensorLineOf.has(tensor)) continue;
      const t = report.tensors.find((x) => x.name === tensor);
      tensorLineOf.set(tensor, lines.length);
      const stats = t?.stats ? `  std=${fmt(t.stats.std)}  zeros=${fmt(t.stats.zeroFraction)}` : '';
      lines.push({ kind: 'tensor', tensor, text: `tensor  ${safe(tensor)}${t ? `${shape(t.shape)}  role=${safe(t.role)}` : ''}${stats}` });
    }
  }
  const findingLines = report.findings.map((f) => {
    // Model-level findings tied to a node (e.g. where the forecast leaves the band) sit on its layer.
    if (f.tensor === null) return (f.node !== null ? nodeLineOf.get(f.node) : undefined) ?? 0;
    return (f.node !== null ? layerLineOf.get(`${f.tensor}\u0000${f.node}`) : undefined)
      ?? weightLineOf.get(f.tensor) ?? tensorLineOf.get(f.tensor) ?? 0;
  });
  return { lines, findingLines, text: lines.map((l) => l.text).join('\n') + '\n' };
}

/** The line of a layer (by id), or null. */
export function lineOfLayer(inline: InlineReport, layerId: string): number | null {
  const i = inline.lines.findIndex((l) => l.layerId === layerId);
  return i < 0 ? null : i;
}
