import type { HeadReport, InitChoice, NewHeadReport } from './fineTuneModel';

/**
 * The replacement head for `classes` outputs on the cut features: its PyTorch shape, fans and
 * recommended init. Xavier (gain 1) for a layer feeding softmax / logits, He when a ReLU follows
 * (SqueezeNet's 1×1 Conv head).
 * Zero init is offered as the alternative, except where a ReLU follows (gradient 0 at 0).
 * Returns null when the head is not a classifier or LM head or the feature width is unknown.
 */
export function recommendNewHead(head: HeadReport, classesOption: number | undefined): NewHeadReport | null {
  if (head.kind !== 'classifier' && head.kind !== 'lm_head') return null;
  const features = head.cut.features;
  const classes = classesOption ?? head.outputCount;
  if (features == null || classes == null || features <= 0 || classes <= 0) return null;
  const isConv = head.op === 'Conv';
  const fanIn = features;
  const fanOut = classes;
  const shape = isConv ? [classes, features, 1, 1] : [classes, features];
  const followedBy = head.followedBy;
  const relu = /^(Relu|LeakyRelu)/.test(followedBy);
  let recommended: InitChoice;
  if (head.kind === 'lm_head') {
    recommended = {
      scheme: head.tiedTo.length ? 'tied' : 'normal(std=0.02)',
      std: 0.02,
      uniformBound: null,
      reason: head.tiedTo.length
        ? `tie the new output layer to the (new) token embedding as the original is tied to ${head.tiedTo.join(', ')}; initialize that embedding with N(0, 0.02) (GPT-2 / BERT convention)`
        : 'N(0, 0.02), the GPT-2 / BERT convention for output projections',
    };
  } else if (relu) {
    const slope = /LeakyRelu\(([-0-9.e]+)\)/.exec(followedBy);
    const a = slope ? Number(slope[1]) : 0;
    const std = Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fanIn);
    recommended = { scheme: 'kaiming_normal', std, uniformBound: Math.sqrt(3) * std, reason: `followed by ${followedBy}: He / Kaiming normal, std = √(2/(1+a²))/√fan_in = √(2/${fanIn}${a ? `·${1 + a * a}` : ''})` };
  } else {
    const std = Math.sqrt(2 / (fanIn + fanOut));
    recommended = {
      scheme: 'xavier_normal',
      std,
      uniformBound: Math.sqrt(3) * std,
      reason: `${followedBy === 'none' ? 'produces logits (softmax / cross-entropy follows)' : `followed by ${followedBy}`}: Xavier / Glorot normal with gain 1, std = √(2/(fan_in+fan_out)) = √(2/(${fanIn}+${fanOut}))`,
    };
  }
  let alternative: InitChoice;
  if (head.kind === 'lm_head') {
    alternative = head.tiedTo.length
      ? { scheme: 'normal(std=0.02)', std: 0.02, uniformBound: null, reason: `an untied output layer, N(0, 0.02): costs ${fanIn}×${fanOut} extra parameters, for when the new task should not share the input embedding` }
      : { scheme: 'tied', std: null, uniformBound: null, reason: 'tie the output layer to the token embedding (GPT-2 style): saves the vocabulary × hidden parameters and often helps small data' };
  } else if (relu) {
    alternative = {
      scheme: 'zeros',
      std: null,
      uniformBound: null,
      reason: `not advisable here: a ${followedBy} follows the head, and its gradient at 0 is 0, so a zero-initialized head would never start training`,
    };
  } else {
    alternative = {
      scheme: 'zeros',
      std: null,
      uniformBound: null,
      reason: 'zero weights and bias: every class starts at logit 0 (initial loss exactly ln(classes)) and the first updates go to the head only, so the pretrained features are not disturbed by a random head (the LP-FT argument, Kumar et al. 2022; timm\'s ViT JAX-style init and Fixup zero the classifier). It is safe because the head is the last layer: its gradient, (softmax − onehot) × features, is non-zero.',
    };
  }
  return {
    shape,
    fanIn,
    fanOut,
    classes,
    classesFrom: classesOption !== undefined ? 'option' : 'current-head',
    layer: isConv ? 'Conv2d(1×1)' : 'Linear',
    followedBy,
    bias: head.initializers.length > 1 || head.alsoReplaced.some((n) => !/(_scale|_zero_point|zero_point|scale)$/.test(n)),
    recommended,
    alternative,
  };
}
