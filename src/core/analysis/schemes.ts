import type { InitRecommendation } from '../report/reportModel';
import type { FanPair } from './fanRules';
import { activationName, calculateGain, schemeFor, type Activation } from './gains';

const SQRT3 = Math.sqrt(3);

/** Xavier/Glorot std: gain·√(2/(fan_in+fan_out)). */
export function xavierStd(fan: FanPair, gain = 1): number {
  return gain * Math.sqrt(2 / (fan.fanIn + fan.fanOut));
}
/** He/Kaiming std: gain/√fan (fan_in by default, gain √2 for ReLU). */
export function heStd(fan: number, gain = Math.SQRT2): number {
  return gain / Math.sqrt(fan);
}
/** LeCun std: 1/√fan_in. */
export function lecunStd(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}
/** PyTorch's Linear/Conv default kaiming_uniform_(a=√5): U(±1/√fan_in), std 1/√(3·fan_in). */
export function torchDefaultStd(fanIn: number): number {
  return 1 / Math.sqrt(3 * fanIn);
}

/**
 * The recommendation for one layer. `xavier`, `he` and `lecun` are the textbook values (Xavier
 * gain 1, He gain √2 — what the corpus oracle's `recommended_std` lists); `std` is the chosen
 * scheme with the gain of the activation actually found (e.g. Xavier·5/3 before Tanh).
 */
export function recommend(fan: FanPair | null, act: Activation, via: string, isEmbedding: boolean): InitRecommendation {
  const name = activationName(act);
  if (fan === null || fan.fanIn <= 0 || fan.fanOut <= 0) {
    return { xavier: null, he: null, lecun: null, scheme: null, std: null, gain: 1, reason: 'no fan for this use' };
  }
  const xs = xavierStd(fan);
  const hs = heStd(fan.fanIn);
  const ls = lecunStd(fan.fanIn);
  const base = {
    xavier: { std: xs, bound: SQRT3 * xs },
    he: { std: hs, bound: SQRT3 * hs, fanOutStd: heStd(fan.fanOut) },
    lecun: { std: ls, bound: SQRT3 * ls },
  };
  if (isEmbedding) {
    return { ...base, scheme: null, std: null, gain: 1, reason: 'embedding table: compared with embedding conventions (PyTorch N(0,1), BERT/GPT N(0,0.02), Keras U(±0.05)), not with He/Xavier' };
  }
  const scheme = schemeFor(act);
  const gain = scheme === 'lecun' ? 1 : calculateGain(act);
  const std = scheme === 'he' ? heStd(fan.fanIn, gain) : scheme === 'xavier' ? xavierStd(fan, gain) : ls;
  const found = name === 'none' ? 'no activation follows (linear / head)' : `followed by ${name}${via !== '' ? ` (through ${via})` : ''}`;
  const label = scheme === 'he' ? 'He (Kaiming) normal, fan_in' : scheme === 'xavier' ? 'Xavier (Glorot)' : 'LeCun normal (SELU)';
  return { ...base, scheme, std, gain, reason: `${found} → ${label}, gain ${+gain.toFixed(4)}` };
}
