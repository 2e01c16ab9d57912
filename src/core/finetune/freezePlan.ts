import type { DatasetSize, DomainSimilarity, LearningRateGroup, PlanEntry, StageReport } from './fineTuneModel';

export const DATASET_SIZES: readonly DatasetSize[] = ['tiny', 'small', 'medium', 'large'];
export const DOMAINS: readonly DomainSimilarity[] = ['similar', 'different'];

/** Rough sizes the names stand for (labelled examples), shown with the plan. */
export const DATASET_SIZE_MEANING: Readonly<Record<DatasetSize, string>> = {
  tiny: '< ~1k labelled examples',
  small: '~1k–10k',
  medium: '~10k–100k',
  large: '> ~100k',
};

/** fastai `fine_tune`: base_lr 2e-3 for the frozen epoch, halved, then slice(base/100, base) (lr_mult = 100). */
const LP_LR = 2e-3;
const FT_HEAD_LR = 1e-3;
const LR_MULT = 100;

export const REFERENCES: readonly string[] = [
  'Yosinski et al. 2014, How transferable are features in deep neural networks? (arXiv 1411.1792)',
  'Kornblith, Shlens, Le 2019, Do Better ImageNet Models Transfer Better? (arXiv 1805.08974)',
  'Raghu et al. 2019, Transfusion: Understanding Transfer Learning for Medical Imaging (arXiv 1902.07208)',
  'Kumar et al. 2022, Fine-Tuning can Distort Pretrained Features (LP-FT, arXiv 2202.10054)',
  'Lee et al. 2023, Surgical Fine-Tuning Improves Adaptation to Distribution Shifts (arXiv 2210.11466)',
  'Howard & Ruder 2018 (ULMFiT) / fastai fine_tune: discriminative learning rates, slice(lr/100, lr)',
];

/**
 * How many of the top backbone stages to fine-tune (the rest stays frozen) per situation: more
 * data or a more different domain → cut earlier / fine-tune more (Yosinski 2014: later layers
 * are task-specific; Tajbakhsh 2016: pick the depth by the amount of data).
 */
function trainableCount(size: DatasetSize, domain: DomainSimilarity, n: number): number {
  const half = Math.ceil(n / 2);
  const table: Record<DatasetSize, Record<DomainSimilarity, number>> = {
    tiny: { similar: 0, different: Math.min(1, n) },
    small: { similar: Math.min(1, n), different: Math.max(Math.min(1, n), half) },
    medium: { similar: half, different: n },
    large: { similar: n, different: n },
  };
  return table[size][domain];
}

/**
 * The freeze plan for every dataset-size × domain situation over the given stages (stem first).
 * Untrained stages are never frozen. Learning rates follow fastai's geometric spread from the
 * stem (lr/100) to the head (lr), so a stage keeps its rate whatever is frozen.
 */
export function buildPlan(stages: readonly StageReport[], selected: { datasetSize: DatasetSize; domain: DomainSimilarity }, untrained: readonly string[], hasBatchNorm = true): PlanEntry[] {
  const hasStem = stages[0]?.name === 'stem';
  const body = hasStem ? stages.slice(1) : stages.slice();
  const all = stages.map((s) => s.name);
  const lrOf = (i: number): number => FT_HEAD_LR / LR_MULT * Math.pow(LR_MULT, i / Math.max(1, stages.length));
  const out: PlanEntry[] = [];
  for (const datasetSize of DATASET_SIZES) {
    for (const domain of DOMAINS) {
      const t = trainableCount(datasetSize, domain, body.length);
      const unfreezeStem = datasetSize === 'large' && hasStem;
      const trainable = new Set(body.slice(body.length - t).map((s) => s.name));
      if (unfreezeStem) trainable.add('stem');
      for (const u of untrained) trainable.add(u);
      const trainableStages = all.filter((n) => trainable.has(n));
      const frozenStages = all.filter((n) => !trainable.has(n));
      const learningRates: LearningRateGroup[] = stages
        .map((s, i) => ({ group: s.name, lr: round(lrOf(i)) }))
        .filter((g) => trainable.has(g.group));
      learningRates.push({ group: 'new head', lr: FT_HEAD_LR });
      out.push({
        datasetSize,
        domain,
        summary: summarize(frozenStages, trainableStages),
        frozenStages,
        trainableStages,
        steps: steps(trainableStages, datasetSize, hasBatchNorm),
        learningRates,
        reasoning: reasoning(datasetSize, domain, t, body.length),
        selected: datasetSize === selected.datasetSize && domain === selected.domain,
      });
    }
  }
  return out;
}

function steps(trainable: readonly string[], size: DatasetSize, hasBatchNorm: boolean): string[] {
  const lp = `1. Linear probe (LP): freeze the whole backbone and train only the new head (AdamW lr ${LP_LR}) until the validation loss stops improving. A random head would otherwise push large gradients into the pretrained layers and distort them (Kumar et al. 2022).`;
  if (trainable.length === 0) {
    return [lp, `2. Stop there${size === 'tiny' ? ' (with this little data, tuning the backbone overfits)' : ''}; if validation accuracy still rises, unfreeze only the last stage at lr ${FT_HEAD_LR / LR_MULT}.`];
  }
  return [
    lp,
    `2. Fine-tune (FT): unfreeze ${joinNames(trainable)} and train ${trainable.length === 1 ? 'it' : 'them'} together with the head at the discriminative learning rates below (fastai-style lr/${LR_MULT} → lr from the first to the last layer)${hasBatchNorm ? "; keep frozen stages' BatchNorm layers in eval mode" : ''}.`,
  ];
}

function reasoning(size: DatasetSize, domain: DomainSimilarity, t: number, n: number): string {
  const parts: string[] = [];
  parts.push(`${size} dataset (${DATASET_SIZE_MEANING[size]}), ${domain} domain: fine-tune the top ${t} of ${n} stage${n === 1 ? '' : 's'}.`);
  if (t === 0) parts.push('Too little data to adapt the backbone safely: the penultimate features are used as they are (linear probe).');
  if (domain === 'similar') parts.push('Early layers are general and later ones task-specific (Yosinski et al. 2014); a similar domain keeps most of them useful, and better source models give better fixed features (Kornblith et al. 2019).');
  else parts.push('A different domain needs more of the network adapted: transfer gets worse with task distance (Yosinski et al. 2014) and useful reuse concentrates in the lowest layers (Raghu et al. 2019). If the shift is in the inputs (sensor, contrast, corruptions) rather than the labels, tuning the first stages instead can beat tuning the last (surgical fine-tuning, Lee et al. 2023).');
  if (size === 'large') parts.push(domain === 'different' ? 'With this much data and a distant domain, compare against training from scratch: on large medical tasks transfer gave little accuracy benefit beyond faster convergence (Raghu et al. 2019).' : 'With this much data every layer can be tuned; the pretrained weights mainly speed up convergence.');
  if (t > 0 && t < n) parts.push('Cutting between co-adapted middle layers and freezing one side can hurt (fragile co-adaptation, Yosinski et al. 2014), so fine-tune whole stages, never half of one.');
  return parts.join(' ');
}

function summarize(frozen: readonly string[], trainable: readonly string[]): string {
  if (frozen.length === 0) return `fine-tune everything (${joinNames(trainable)}) + new head`;
  if (trainable.length === 0) return `freeze ${joinNames(frozen)}; train only the new head (linear probe)`;
  return `freeze ${joinNames(frozen)}, fine-tune ${joinNames(trainable)} + new head`;
}

/** `stem + stages 1–3`, `stage 4`, `stem + stage 1`. */
export function joinNames(names: readonly string[]): string {
  const parts: string[] = [];
  const nums: number[] = [];
  for (const n of names) {
    const m = /^stage (\d+)$/.exec(n);
    if (m) nums.push(Number(m[1]));
    else parts.push(n);
  }
  const runs: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    runs.push(i === j ? `${nums[i]}` : `${nums[i]}–${nums[j]}`);
    i = j + 1;
  }
  if (runs.length) parts.push(`${runs.length === 1 && !runs[0]!.includes('–') ? 'stage' : 'stages'} ${runs.join(', ')}`);
  return parts.join(' + ');
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}
