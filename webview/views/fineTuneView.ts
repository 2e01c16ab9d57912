// The fine-tune cut: the layer sequence as a strip (frozen / fine-tuned / replaced, cut marked,
// stages labelled), the freeze plan with its reasons, the new head's init, the PyTorch snippet and
// backbone export, and the dataset-size / domain / classes / channels controls.
import type { FineTuneReport, PlanEntry } from '../../src/core/finetune/fineTuneModel';
import type { LayerReport, Report } from '../../src/core/report/reportModel';
import type { FineTuneSettings } from '../../src/shared/protocol';
import { FINE_TUNE_DATASET_SIZES, FINE_TUNE_DOMAINS } from '../../src/shared/protocol';
import { append, clear, displayText, h, icon, valueOf } from '../dom';
import { compact, int, num, shape } from '../format';
import { kv } from './layerDetail';

export type PartStatus = 'frozen' | 'tuned' | 'replaced';

export interface StripRun {
  readonly status: PartStatus;
  readonly stage: string | null;
  readonly start: number; // index into report.layers
  readonly count: number;
}

export interface CutModel {
  readonly status: PartStatus[];
  readonly runs: StripRun[];
  /** Index into report.layers of the first layer after the cut (the head), or null. */
  readonly cutAt: number | null;
}

/**
 * Stages the report freezes under the selected situation: those its `freeze` list covers (whole
 * stages, by initializer name or parameter-name prefix). Empty when the weights look freshly
 * initialized: the selected plan's frozen stages then apply only after loading pretrained weights.
 */
export function frozenStageNames(ft: FineTuneReport): Set<string> {
  const freeze = new Set(ft.freeze);
  return new Set(ft.stages.filter((s) => (ft.freezeBy === 'prefix' ? s.prefixes.length > 0 && s.prefixes.every((p) => freeze.has(p)) : s.initializers.some((n) => freeze.has(n)))).map((s) => s.name));
}

/** Which part of the fine-tune plan each layer belongs to, under the selected situation (the report's freeze list). */
export function cutModel(report: Report, ft: FineTuneReport): CutModel {
  const replaced = new Set(ft.replace);
  const frozenStages = frozenStageNames(ft);
  const stageOf = new Map<string, string>();
  for (const s of ft.stages) for (const name of s.initializers) stageOf.set(name, s.name);
  const frozenByList = (l: LayerReport): boolean => (ft.freezeBy === 'prefix' ? ft.freeze.some((p) => l.weight.startsWith(p)) : ft.freeze.includes(l.weight));
  const status: PartStatus[] = report.layers.map((l) => {
    if (replaced.has(l.weight)) return 'replaced';
    const st = stageOf.get(l.weight);
    if (st != null) return frozenStages.has(st) ? 'frozen' : 'tuned';
    return frozenByList(l) ? 'frozen' : 'tuned';
  });
  const runs: StripRun[] = [];
  report.layers.forEach((l, i) => {
    const stage = stageOf.get(l.weight) ?? null;
    const last = runs[runs.length - 1];
    if (last && last.status === status[i] && last.stage === stage) runs[runs.length - 1] = { ...last, count: last.count + 1 };
    else runs.push({ status: status[i]!, stage, start: i, count: 1 });
  });
  const firstReplaced = status.indexOf('replaced');
  return { status, runs, cutAt: ft.cut && firstReplaced >= 0 ? firstReplaced : null };
}

const LABEL: Record<PartStatus, string> = { frozen: 'frozen', tuned: 'fine-tuned', replaced: 'replaced (new head)' };

export interface FineTuneCallbacks {
  onSelect(id: string): void;
  onSettings(s: FineTuneSettings): void;
  onCopySnippet(text: string): void;
  onExportBackbone(cutTensor: string): void;
}

export class FineTuneView {
  readonly element = h('section', { class: 'finetune', 'aria-label': 'Fine-tune cut' });

  constructor(private readonly cb: FineTuneCallbacks) {}

  show(report: Report, settings: FineTuneSettings): void {
    clear(this.element);
    this.element.append(this.controls(settings));
    const ft = report.fineTune as FineTuneReport | undefined;
    if (!ft || typeof ft !== 'object' || !Array.isArray(ft.plan)) {
      this.element.append(h('p', { class: 'muted' }, 'No fine-tune analysis in this report.'));
      return;
    }
    const cm = cutModel(report, ft);
    this.element.append(this.strip(report, ft, cm));
    const plan = ft.plan.find((p) => p.selected) ?? null;
    const copy = h('vscode-button', { class: 'copy-snippet', disabled: ft.snippet == null }, icon('copy'), ' Copy PyTorch snippet');
    copy.addEventListener('click', () => { if (ft.snippet != null) this.cb.onCopySnippet(ft.snippet); });
    const exp = h('vscode-button', { class: 'export-backbone', secondary: true, disabled: ft.cut == null }, icon('save-as'), ' Export backbone ONNX…');
    exp.addEventListener('click', () => { if (ft.cut) this.cb.onExportBackbone(ft.cut.tensor); });
    append(this.element,
      h('div', { class: 'detail-grid' },
        h('div', { class: 'card' }, h('h3', null, 'Cut'),
          kv([
            ['Head', `${ft.kind}${ft.heads[0] ? ` — ${displayText(ft.heads[0].op, 30)} ${displayText(ft.heads[0].node, 200)}` : ''}`],
            ['Cut tensor', ft.cut ? h('code', { class: 'name cut-tensor' }, displayText(ft.cut.tensor, 400)) : 'none proposed'],
            ['Features', ft.heads[0]?.cut.features != null ? int(ft.heads[0].cut.features) : '—'],
            ['Replaced', ft.replace.length ? ft.replace.map((n) => displayText(n, 120)).join(', ') : '—'],
            ['Transfer', h('span', { class: ft.transferable ? '' : 'sev-warning' }, displayText(ft.transferability.message, 600))],
          ]),
          h('div', { class: 'buttons' }, copy, exp),
          ft.snippet == null && ft.snippetReason ? h('p', { class: 'muted' }, displayText(ft.snippetReason, 600)) : null),
        this.newHead(ft),
        plan ? this.planCard(plan, ft) : h('div', { class: 'card' }, h('h3', null, 'Plan'), h('p', { class: 'muted' }, 'No plan.'))),
      ft.modalityHint ? h('p', { class: 'card wide sev-warning modality' }, icon('warning'), ' ', displayText(ft.modalityHint.message, 600)) : null,
      this.stages(ft),
      this.allPlans(ft),
      ft.snippet ? h('div', { class: 'card wide' }, h('h3', null, 'PyTorch snippet'), h('pre', { class: 'snippet' }, ft.snippet)) : null,
      ft.rationale.length || ft.references.length ? h('div', { class: 'card wide' }, h('h3', null, 'Why'),
        h('ul', { class: 'plain' }, ...ft.rationale.map((r) => h('li', null, displayText(r, 1000)))),
        ft.references.length ? h('p', { class: 'muted refs' }, 'Sources: ', ft.references.map((r) => displayText(r, 300)).join(' · ')) : null) : null,
    );
  }

  private strip(report: Report, ft: FineTuneReport, cm: CutModel): HTMLElement {
    const total = Math.max(1, report.layers.length);
    const bar = h('div', { class: 'strip', role: 'img', 'aria-label': `Layer strip: ${cm.runs.map((r) => `${r.count} ${LABEL[r.status]}`).join(', ')}` });
    for (const run of cm.runs) {
      const seg = h('div', { class: `seg seg-${run.status}`, 'data-status': run.status, 'data-count': run.count,
        title: `${LABEL[run.status]}${run.stage ? ` · ${displayText(run.stage, 80)}` : ''} · ${run.count} layer${run.count === 1 ? '' : 's'} (from #${report.layers[run.start]!.index})` });
      seg.style.flexGrow = String(run.count);
      seg.addEventListener('click', (e) => {
        const frac = Math.min(0.999, Math.max(0, e.offsetX / Math.max(1, seg.clientWidth)));
        const l = report.layers[run.start + Math.floor(frac * run.count)];
        if (l) this.cb.onSelect(l.id);
      });
      bar.append(seg);
    }
    const wrap = h('div', { class: 'strip-wrap' }, bar);
    // Stage names under the strip, where a stage is wide enough to carry one.
    const labels = h('div', { class: 'strip-labels', 'aria-hidden': 'true' });
    const spans = new Map<string, { start: number; count: number }>();
    for (const run of cm.runs) {
      if (run.stage == null) continue;
      const sp = spans.get(run.stage);
      if (sp) sp.count = run.start + run.count - sp.start;
      else spans.set(run.stage, { start: run.start, count: run.count });
    }
    for (const [name, sp] of spans) {
      const lab = h('span', { class: 'strip-label', title: displayText(name, 80) }, displayText(name, 40));
      lab.style.left = `${(sp.start / total) * 100}%`;
      lab.style.width = `${(sp.count / total) * 100}%`;
      labels.append(lab);
    }
    if (cm.cutAt != null) {
      const mark = h('div', { class: 'cut-mark', title: `cut at ${displayText(ft.cut?.tensor ?? '', 200)}` }, h('span', null, icon('debug-disconnect'), ' cut'));
      mark.style.left = `${(cm.cutAt / total) * 100}%`;
      if (cm.cutAt / total > 0.8) mark.classList.add('label-left');
      wrap.append(mark);
    }
    const counts = { frozen: 0, tuned: 0, replaced: 0 };
    for (const s of cm.status) counts[s]++;
    const legend = h('div', { class: 'legend' },
      ...(['frozen', 'tuned', 'replaced'] as const).map((s) => h('span', { class: `lg lg-${s}`, 'data-status': s }, h('i', { class: `sw seg-${s}` }), `${LABEL[s]}: ${counts[s]}`)));
    return h('div', { class: 'card wide' }, h('h3', null, 'Layer strip (graph order)'), wrap, labels, legend);
  }

  private newHead(ft: FineTuneReport): HTMLElement {
    const nh = ft.newHead;
    if (!nh) return h('div', { class: 'card' }, h('h3', null, 'New head'), h('p', { class: 'muted' }, 'No replacement head proposed.'));
    const r = nh.recommended;
    return h('div', { class: 'card new-head' }, h('h3', null, 'New head'), kv([
      ['Layer', `${nh.layer} ${shape(nh.shape)}`],
      ['Classes', `${int(nh.classes)} (${nh.classesFrom === 'option' ? 'from the setting' : 'as the current head'})`],
      ['fan_in / fan_out', `${int(nh.fanIn)} / ${int(nh.fanOut)}`],
      ['Followed by', displayText(nh.followedBy, 60)],
      ['Init', `${r.scheme}${r.std != null ? ` std ${num(r.std)}` : ''}${r.uniformBound != null ? ` (uniform ±${num(r.uniformBound)})` : ''}`],
      ['Why', displayText(r.reason, 600)],
      ['Alternative', `${nh.alternative.scheme}${nh.alternative.std != null ? ` std ${num(nh.alternative.std)}` : ''} — ${displayText(nh.alternative.reason, 1000)}`],
    ]));
  }

  private planCard(p: PlanEntry, ft: FineTuneReport): HTMLElement {
    return h('div', { class: 'card plan' }, h('h3', null, `Plan: ${p.datasetSize} data, ${p.domain} domain`),
      ft.transferable ? null : h('p', { class: 'plan-caveat sev-warning' }, 'The weights look freshly initialized: this plan applies only after loading pretrained weights into the architecture.'),
      h('p', { class: 'plan-summary' }, displayText(p.summary, 600)),
      h('ul', { class: 'plain steps' }, ...p.steps.map((s) => h('li', null, displayText(s, 600)))),
      p.learningRates.length ? kv(p.learningRates.map((g) => [displayText(g.group, 60), g.lr === 0 ? 'frozen' : `lr ${num(g.lr, 3)}`] as const)) : null,
      h('p', { class: 'muted' }, displayText(p.reasoning, 1200)));
  }

  private stages(ft: FineTuneReport): HTMLElement | null {
    if (ft.stages.length === 0) return null;
    const frozen = frozenStageNames(ft);
    const table = h('table', { class: 'grid stages' },
      h('thead', null, h('tr', null, ...['Stage', 'Modules', 'Layers', 'Params', 'Plan', 'Fresh / trained', 'Boundary'].map((c) => h('th', null, c)))),
      h('tbody', null, ...ft.stages.map((s) => h('tr', { class: s.looksUntrained ? 'untrained' : '' },
        h('td', null, displayText(s.name, 60)), h('td', null, displayText(s.label, 120)), h('td', { class: 'num' }, int(s.layers)),
        h('td', { class: 'num' }, compact(s.parameters)), h('td', null, frozen.has(s.name) ? 'frozen' : 'fine-tuned'),
        h('td', null, `${s.verdicts.fresh} / ${s.verdicts.trained}${s.verdicts.bnFolded ? ` (+${s.verdicts.bnFolded} folded)` : ''}`),
        h('td', { class: 'muted' }, displayText(s.boundary, 200))))));
    return h('div', { class: 'card wide' }, h('h3', null, 'Freeze plan by stage'), table);
  }

  private allPlans(ft: FineTuneReport): HTMLElement | null {
    if (ft.plan.length < 2) return null;
    return h('vscode-collapsible', { title: 'All situations (dataset size × domain)', class: 'wide' },
      h('table', { class: 'grid plans' },
        h('thead', null, h('tr', null, h('th', null, 'Data'), h('th', null, 'Domain'), h('th', null, 'Plan'))),
        h('tbody', null, ...ft.plan.map((p) => h('tr', { class: p.selected ? 'selected' : '' },
          h('td', null, p.datasetSize), h('td', null, p.domain), h('td', null, displayText(p.summary, 400)))))));
  }

  private controls(s: FineTuneSettings): HTMLElement {
    const size = h('vscode-single-select', { class: 'ft-size', 'aria-label': 'Dataset size' },
      ...FINE_TUNE_DATASET_SIZES.map((v) => h('vscode-option', { value: v, selected: v === s.datasetSize }, v)));
    const domain = h('vscode-single-select', { class: 'ft-domain', 'aria-label': 'Domain' },
      ...FINE_TUNE_DOMAINS.map((v) => h('vscode-option', { value: v, selected: v === s.domain }, v)));
    const classes = h('vscode-textfield', { class: 'ft-classes', type: 'number', min: 1, placeholder: 'as now', value: s.numClasses ?? '', 'aria-label': 'Number of classes' });
    const channels = h('vscode-textfield', { class: 'ft-channels', type: 'number', min: 1, placeholder: 'as now', value: s.inputChannels ?? '', 'aria-label': 'Input channels' });
    const read = (el: Element): number | null => {
      const n = Number(valueOf(el));
      return Number.isSafeInteger(n) && n > 0 ? n : null;
    };
    const send = (): void => this.cb.onSettings({
      datasetSize: valueOf(size) as FineTuneSettings['datasetSize'],
      domain: valueOf(domain) as FineTuneSettings['domain'],
      numClasses: read(classes),
      inputChannels: read(channels),
    });
    for (const el of [size, domain, classes, channels]) el.addEventListener('change', send);
    const field = (label: string, el: HTMLElement): HTMLElement => h('label', { class: 'field' }, h('span', null, label), el);
    return h('div', { class: 'controls ft-controls' },
      field('Dataset size', size), field('Domain', domain), field('Classes', classes), field('Input channels', channels));
  }
}
