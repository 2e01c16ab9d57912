import type { HeadReport, StageReport, TransferabilityReport } from './fineTuneModel';

/** At or above this share of trained-looking backbone values the body counts as trained. */
const TRAINED_SHARE = 0.9;
/** Below this share the backbone counts as fresh: too little looks trained to be worth freezing. */
const FRESH_SHARE = 0.5;

/**
 * What the weights say about transfer, from the analysis' per-layer verdicts over the backbone
 * only (the head is replaced anyway), weighted by values like the model verdict: a backbone that
 * mostly looks freshly initialized has nothing to transfer (fine-tuning it is training from
 * scratch); a trained body with a fresh head is the "new head on a pretrained model" situation
 * fine-tuning is for; stages that look untrained inside a trained body must not be frozen.
 * Small trained layers often still match their init (the first conv of a briefly trained CNN),
 * so a majority of trained values with some fresh ones reads as `mixed`, still transferable.
 */
export function assessTransferability(stages: readonly StageReport[], head: HeadReport | undefined): TransferabilityReport {
  let fresh = 0, trained = 0, folded = 0, unknown = 0, freshEl = 0, trainedEl = 0;
  for (const s of stages) {
    fresh += s.verdicts.fresh;
    trained += s.verdicts.trained;
    folded += s.verdicts.bnFolded;
    unknown += s.verdicts.unknown;
    freshEl += s.verdicts.freshElements ?? 0;
    trainedEl += s.verdicts.trainedElements ?? 0;
  }
  const layers = fresh + trained + folded + unknown;
  const share = freshEl + trainedEl > 0 ? trainedEl / (freshEl + trainedEl) : null;
  const headVerdict = head?.verdict ?? 'unknown';
  const backbone: TransferabilityReport['backbone'] = share === null ? 'unknown' : share >= TRAINED_SHARE ? 'trained' : share >= FRESH_SHARE ? 'mixed' : 'fresh';
  const pct = share === null ? '' : `${formatPercent(share * 100)}% of the judged backbone weights look trained`;
  const trainedStages = stages.filter((s) => (s.verdicts.trainedElements ?? 0) > (s.verdicts.freshElements ?? 0)).map((s) => s.name);
  const untrainedStages = backbone === 'fresh' || backbone === 'unknown' ? [] : stages.filter((s) => s.looksUntrained).map((s) => s.name);
  let message: string;
  switch (backbone) {
    case 'fresh':
      message = `Nothing to transfer: the backbone looks freshly initialized (${pct}; ${fresh} of ${layers} weight layers match an initialization scheme${folded ? `, ${folded} have BatchNorm folded in and were judged by their per-channel statistics` : ''}). ` +
        'Fine-tuning it would be training from scratch: train every layer (no freezing), or load pretrained weights into this architecture first.' +
        (trainedStages.length ? ` (${trainedStages.join(', ')} look${trainedStages.length === 1 ? 's' : ''} trained, too little to be worth freezing.)` : '');
      break;
    case 'trained':
      message = headVerdict === 'fresh'
        ? `Ready for fine-tuning: the body looks trained (${pct}) and the head still matches an initialization scheme (freshly replaced, or it moved little in training): replace or re-train it as planned.`
        : `Worth transferring: the body looks trained (${pct}). Replace the head and follow the plan.`;
      break;
    case 'mixed':
      message = `Worth transferring, partly: ${pct}; ${fresh} weight layer${fresh === 1 ? '' : 's'} still match an initialization scheme (small layers often barely move in training). Transfer the trained stages and train the untrained ones with the head, never frozen.`;
      break;
    default:
      message = `Could not tell whether the weights are trained (${folded} layers with folded BatchNorm, ${unknown} without a verdict); the plan assumes a pretrained backbone.`;
  }
  if (untrainedStages.length) message += ` Stages that look untrained: ${untrainedStages.join(', ')} (do not freeze them).`;
  return { backbone, trainedShare: share, head: headVerdict, message, untrainedStages };
}

/** Whole percents, except near 0 and 100 where rounding would claim "none" or "all". */
function formatPercent(p: number): string {
  return (p > 0 && p < 1) || (p > 99 && p < 100) ? p.toFixed(1) : p.toFixed(0);
}
