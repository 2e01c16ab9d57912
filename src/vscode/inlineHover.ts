import type { ProbeLayerReport } from '../core/probe/probeTypes';
import type { Finding, LayerReport, TensorReport, TensorStatsReport } from '../core/report/reportModel';
import { escapeMarkdown } from '../core/text/escapeMarkdown';
import { displayString } from '../core/report/format/displayString';
import { formatNumber as fmt, formatRatio, formatShape } from '../core/report/format/formatNumber';

/** Hover text of the inline view (pure Markdown source; every model string escaped). */

const md = (value: string): string => escapeMarkdown(displayString(value, 200));

function statsRows(s: TensorStatsReport): string[] {
  return [
    `| mean | ${fmt(s.mean)} | std | ${fmt(s.std)} |`,
    `| min | ${fmt(s.min)} | max | ${fmt(s.max)} |`,
    `| zeros | ${fmt(s.zeroCount)} (${fmt(s.zeroFraction)}) | NaN / Inf | ${s.nanCount} / ${s.infCount} |`,
    `| elements | ${fmt(s.count)}${s.sampled ? ' (sampled)' : ''} | excess kurtosis | ${fmt(s.excessKurtosis)} |`,
  ];
}

function findingList(findings: readonly Finding[]): string[] {
  return findings.map((f) => `- **${f.severity}** \`${md(f.code)}\`: ${md(f.message)}`);
}

export function layerHoverMarkdown(l: LayerReport, findings: readonly Finding[], probe?: ProbeLayerReport): string {
  const r = l.recommended;
  const out = [
    `**${md(l.op)}** \`${md(l.node)}\` · weight \`${md(l.weight)}\` ${formatShape(l.shape)} ${md(l.dtype)}`,
    '',
    `fan_in **${fmt(l.fanIn)}**, fan_out **${fmt(l.fanOut)}** (${l.fanConvention} convention): ${md(l.fanRule)}`,
    '',
    `Activation after: ${md(l.activation)}${l.activationPath.length ? ` (via ${l.activationPath.map(md).join(' → ')})` : ''}${l.normalizedAfter ? ', normalized after' : ''}`,
    '',
    '| | | | |',
    '|---|---|---|---|',
    ...statsRows(l.stats),
    '',
    `Recommended: **${r.scheme ?? '—'}** std ${fmt(r.std)} (gain ${fmt(r.gain)}) — ${md(r.reason)}`,
    '',
    `Xavier std ${fmt(r.xavier?.std)} (bound ${fmt(r.xavier?.bound)}) · He std ${fmt(r.he?.std)} (bound ${fmt(r.he?.bound)}, fan_out ${fmt(r.he?.fanOutStd)}) · LeCun std ${fmt(r.lecun?.std)}`,
    '',
    `Measured ÷ recommended: **${formatRatio(l.ratio)}** · best match: ${l.matchedScheme ? `${md(l.matchedScheme.label)} (${formatRatio(l.matchedScheme.ratio)}, score ${fmt(l.matchedScheme.score)})` : '—'} · verdict **${l.verdict}**`,
  ];
  if (l.schemeCandidates.length > 1) {
    out.push('', `Also considered: ${l.schemeCandidates.slice(1, 5).map((c) => `${md(c.label)} ${formatRatio(c.ratio)}`).join(', ')}`);
  }
  if (l.channels) {
    const c = l.channels;
    out.push('', `Output channels (axis ${c.axis}): ${c.count}, std ${fmt(c.stdMin)} … ${fmt(c.stdMax)} (median ${fmt(c.stdMedian)}), dead ${c.dead.length}, identical groups ${c.identical.length}`);
  }
  if (probe) {
    out.push('', `Probe (forward run on N(0, 1) inputs): output std **${fmt(probe.std)}** (mean ${fmt(probe.mean)}) · forecast ${fmt(probe.forecastStd)} · gain ${fmt(probe.gain)} (forecast ${fmt(probe.forecastGain)}) · isolated gain ${fmt(probe.isolatedGain)}${probe.activation ? ` · after ${md(probe.activation.op)}: std ${fmt(probe.activation.std)}` : ''}${probe.lsuvScale !== null ? ` · LSUV rescale ×${fmt(probe.lsuvScale)}` : ''}${probe.nonFinite > 0 ? ` · ${probe.nonFinite} non-finite values` : ''}`);
  }
  if (findings.length) out.push('', ...findingList(findings));
  return out.join('\n');
}

export function tensorHoverMarkdown(name: string, t: TensorReport | undefined, findings: readonly Finding[]): string {
  const out = [`tensor \`${md(name)}\`${t ? ` ${formatShape(t.shape)} ${md(t.dtype)} · role ${md(t.role)} · ${md(t.storage)}` : ''}`];
  if (t?.stats) out.push('', '| | | | |', '|---|---|---|---|', ...statsRows(t.stats));
  if (t?.skipped) out.push('', `Skipped: ${md(t.skipped)}`);
  if (findings.length) out.push('', ...findingList(findings));
  return out.join('\n');
}
