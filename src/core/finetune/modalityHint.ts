import type { TensorRef } from '../onnx/model';
import type { ModalityHint } from './fineTuneModel';
import type { GraphLookup } from './graphLookup';
import { intAttr } from './graphLookup';

/**
 * When the user's data has a different channel count than the first Conv expects (grayscale
 * X-rays into an RGB model), how to adapt it without losing the pretrained first layer. The
 * channel-summing rule is timm's `adapt_input_conv`.
 */
export function modalityHint(lookup: GraphLookup, tensors: ReadonlyMap<string, TensorRef>, userChannels: number | undefined): ModalityHint | null {
  if (userChannels === undefined || !Number.isInteger(userChannels) || userChannels <= 0) return null;
  const first = lookup.nodes.find((n) => n.opType === 'Conv' && n.inputs[0] !== undefined && n.inputs[0] !== '' && !lookup.isConstant(n.inputs[0]) && n.inputs[1] !== undefined && lookup.isConstant(n.inputs[1]));
  if (!first) return null;
  const root = lookup.weightRoot(first.inputs[1]!);
  const w = root !== undefined ? tensors.get(root) : undefined;
  if (!w || w.dims.length < 3) return null;
  const expected = w.dims[1]! * intAttr(first, 'group', 1);
  if (expected === userChannels) return null;
  const conv = lookup.label(first);
  let message: string;
  if (userChannels === 1) {
    message = `The first conv (${conv}, weight ${w.name} [${w.dims.join(', ')}]) expects ${expected} input channels and your data has 1. ` +
      `Either replicate the input ${expected} times (x.repeat(1, ${expected}, 1, 1)), or sum the first conv's filters over the input channels (W.sum(dim=1, keepdim=True)) and make it a 1-channel conv: both compute the same output, the second without the extra input copies (timm adapt_input_conv).`;
  } else if (expected === 1) {
    message = `The first conv (${conv}) expects 1 input channel and your data has ${userChannels}: convert to grayscale, or repeat its filters over ${userChannels} channels and divide them by ${userChannels} (keeps the activation scale).`;
  } else {
    message = `The first conv (${conv}) expects ${expected} input channels and your data has ${userChannels}: repeat the pretrained filters cyclically over the ${userChannels} channels and scale them by ${expected}/${userChannels} so activations keep their scale (timm adapt_input_conv).`;
  }
  return { expectedChannels: expected, userChannels, firstConv: conv, firstWeight: w.name, message };
}
