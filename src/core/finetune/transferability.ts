import type { HeadReport, StageReport, TransferabilityReport } from './fineTuneModel';

/**
 * What the weights say about transfer: a backbone that still looks freshly initialized has
 * nothing to transfer (fine-tuning it is training from scratch); a trained body with a fresh head
 * is the "new head on a pretrained model" situation fine-tuning is for; fresh stages inside a
 * trained body must not be frozen. Uses the analysis' per-layer fresh/trained verdicts; folded
 * BatchNorm (`bn-folded`) says nothing either way.
 */
export function assessTransferability(stages: readonly StageReport[], head: HeadReport | undefined): TransferabilityReport {
  let fresh = 0, trained = 0, folded = 0, unknown = 0;
  for (const s of stages) {
    fresh += s.verdicts.fresh;
    trained += s.verdicts.trained;
    folded += s.verdicts.bnFolded;
    unknown += s.verdicts.unknown;
  }
  const known = fresh + trained;
  const total = known + folded + unknown;
  const headVerdict = head?.verdict ?? 'unknown';
  let backbone: TransferabilityReport['backbone'];
  if (known === 0) backbone = 'unknown';
  else if (trained === 0) backbone = 'fresh';
  else if (fresh === 0) backbone = 'trained';
  else backbone = trained >= 0.8 * known ? 'trained' : fresh >= 0.8 * known ? 'fresh' : 'mixed';

  const untrainedStages = backbone === 'fresh' ? [] : stages.filter((s) => s.looksUntrained).map((s) => s.name);
  let message: string;
  switch (backbone) {
    case 'fresh':
      message = `Nothing to transfer: the backbone looks freshly initialized (${fresh} of ${total} weight layers match an initialization scheme, none look trained). ` +
        'Fine-tuning it would be training from scratch: train every layer (no freezing), or load pretrained weights into this architecture first.';
      break;
    case 'trained':
      message = headVerdict === 'fresh'
        ? `Ready for fine-tuning: the body looks trained (${trained} of ${total} weight layers) and the head already looks freshly initialized, as after replacing the classifier.`
        : `Worth transferring: the body looks trained (${trained} of ${total} weight layers). Replace the head and follow the plan.`;
      break;
    case 'mixed':
      message = `Partly trained: ${trained} weight layers look trained and ${fresh} look freshly initialized. Transfer the trained stages; train the untrained ones with the head, never frozen.`;
      break;
    default:
      message = `Could not tell whether the weights are trained (${folded} layers with folded BatchNorm, ${unknown} without a verdict); the plan assumes a pretrained backbone.`;
  }
  if (untrainedStages.length && backbone !== 'fresh') {
    message += ` Stages that look untrained: ${untrainedStages.join(', ')} (do not freeze them).`;
  }
  return { backbone, head: headVerdict, message, untrainedStages };
}
