import type { FineTuneReport, PlanEntry, StageReport } from './fineTuneModel';
import { DATASET_SIZE_MEANING } from './freezePlan';

/**
 * The fine-tune section as a small format-neutral document, so the text, Markdown and HTML
 * renderers show the same content and differ only in escaping and markup. Strings here still
 * contain untrusted model names: the renderers neutralize and escape every span.
 */
export type Span = string | { readonly code: string } | { readonly strong: string };
export type Line = readonly Span[];

export interface DocSection {
  readonly title: string;
  readonly lines: readonly Line[];
  readonly table?: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric: readonly boolean[] };
  /** Preformatted code (the PyTorch snippet). */
  readonly code?: string;
}

function fmtNum(x: number | null): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2).replace(/\.?0+e/, 'e') : String(Number(x.toPrecision(4)));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Builds the sections in reading order: verdict first, then cut, stages, plan, new head, artifacts. */
export function fineTuneDocument(ft: FineTuneReport): DocSection[] {
  const out: DocSection[] = [];
  const head = ft.heads.find((h) => ft.cut !== null && h.cut.tensor === ft.cut.tensor) ?? ft.heads[0];
  const sel = `${ft.selected.datasetSize} dataset (${DATASET_SIZE_MEANING[ft.selected.datasetSize]}), ${ft.selected.domain} domain`;
  const summary: Line[] = [];
  summary.push([{ strong: 'Weights:' }, ` ${ft.transferability.message}`]);
  if (!ft.cut) {
    summary.push([{ strong: 'No cut proposed:' }, ` ${ft.rationale[0] ?? `${ft.kind} output`}`]);
  } else if (head) {
    summary.push(['Head (', ft.kind, '): ', { code: head.node }, ` (${head.op}) — ${head.reason}`]);
    summary.push(['Cut at ', { code: ft.cut.tensor }, ft.cut.node ? ', output of ' : '', ...(ft.cut.node ? [{ code: ft.cut.node }] : []), head.cut.features != null ? ` (${head.cut.features} features)` : '']);
    if (head.cut.floatTensor) summary.push(['Float features before the QDQ pair: ', { code: head.cut.floatTensor }]);
    summary.push(['Replace: ', ...list(ft.replace), ...(head.alsoReplaced.length ? [' (also drops ', ...list(head.alsoReplaced), ')'] : [])]);
    if (head.tiedTo.length) summary.push(['Tied to the embedding ', ...list(head.tiedTo), ' (not part of the head: keep it).']);
  }
  out.push({ title: `Fine-tune suggestion — ${sel}`, lines: summary });

  if (ft.heads.length > 1) {
    out.push({
      title: `Heads (${ft.heads.length})`,
      lines: [],
      table: {
        head: ['kind', 'node', 'op', 'outputs', 'cut tensor', 'initializers'],
        rows: ft.heads.map((h) => [h.kind, h.node, h.op, h.outputCount == null ? '—' : String(h.outputCount), h.cut.tensor, h.initializers.join(', ')]),
        numeric: [false, false, false, true, false, false],
      },
    });
  }

  if (ft.stages.length) {
    out.push({
      title: `Backbone stages (${ft.stages.length})`,
      lines: [],
      table: {
        head: ['stage', 'modules', 'layers', 'parameters', 'fresh / trained / folded / ?', 'starts because'],
        rows: ft.stages.map((s) => [s.name + (s.looksUntrained && ft.transferable ? ' (untrained)' : ''), s.label, String(s.layers), count(s.parameters), verdicts(s), s.boundary]),
        numeric: [false, false, true, true, false, false],
      },
    });
  }

  const chosen = ft.plan.find((p) => p.selected);
  if (chosen) {
    const lines: Line[] = [];
    if (!ft.transferable) lines.push([{ strong: 'The weights look freshly initialized: this plan applies only after loading pretrained weights into the architecture.' }]);
    lines.push([{ strong: chosen.summary }]);
    for (const s of chosen.steps) lines.push([s]);
    lines.push(['Learning rates (AdamW): ', chosen.learningRates.map((g) => `${g.group} ${fmtNum(g.lr)}`).join(' · ')]);
    lines.push(['Why: ', chosen.reasoning]);
    if (ft.freeze.length) lines.push([`Freeze (${ft.freezeBy === 'prefix' ? 'parameter-name prefixes' : 'initializer names'}): `, ...list(ft.freeze, 24)]);
    out.push({ title: 'Plan', lines });
    out.push({
      title: 'Other situations',
      lines: [],
      table: { head: ['dataset', 'domain', 'plan'], rows: ft.plan.filter((p) => !p.selected).map((p: PlanEntry) => [p.datasetSize, p.domain, p.summary]), numeric: [false, false, false] },
    });
  }

  if (ft.newHead) {
    const n = ft.newHead;
    out.push({
      title: 'New head',
      lines: [
        [`${n.layer} weight [${n.shape.join(', ')}] for ${n.classes} ${ft.kind === 'lm_head' ? 'vocabulary entries' : 'classes'} (${n.classesFrom === 'option' ? 'from --classes' : 'as in the current head; set --classes'}): fan_in ${n.fanIn}, fan_out ${n.fanOut}${n.bias === false ? ', no bias' : '; bias zeros'}.`],
        [{ strong: `Recommended: ${n.recommended.scheme}` }, n.recommended.std != null ? `, std ${fmtNum(n.recommended.std)}` : '', n.recommended.uniformBound != null ? ` (uniform variant ±${fmtNum(n.recommended.uniformBound)})` : '', ` — ${n.recommended.reason}.`],
        [{ strong: `Alternative: ${n.alternative.scheme}` }, ` — ${n.alternative.reason}`],
      ],
    });
  }
  if (ft.modalityHint) out.push({ title: 'Input channels', lines: [[ft.modalityHint.message]] });

  const artifacts: Line[] = [];
  if (ft.exportCommand) artifacts.push(['Export the backbone: ', { code: ft.exportCommand }]);
  if (!ft.snippet && ft.snippetReason) artifacts.push([`No PyTorch snippet: ${ft.snippetReason}.`]);
  if (artifacts.length || ft.snippet) out.push({ title: 'Artifacts', lines: artifacts, ...(ft.snippet ? { code: ft.snippet } : {}) });
  out.push({ title: 'References', lines: ft.references.map((r) => [r]) });
  return out;
}

function verdicts(s: StageReport): string {
  const v = s.verdicts;
  return `${v.fresh} / ${v.trained} / ${v.bnFolded} / ${v.unknown}`;
}

/** Names as code spans separated by commas, at most `max` (then "… n more"). */
function list(names: readonly string[], max = 12): Span[] {
  const spans: Span[] = [];
  names.slice(0, max).forEach((n, i) => {
    if (i) spans.push(', ');
    spans.push({ code: n });
  });
  if (names.length > max) spans.push(` … ${names.length - max} more`);
  return spans;
}
