import type { TensorRefusal, WeightEntry } from '../onnx/model';
import type { Finding, InitRecommendation, LayerVerdict } from '../report/reportModel';
import type { ActivationFound } from './activationSearch';
import type { FanResult } from './fanRules';
import type { Fingerprint } from './fingerprint';
import type { Role } from './roles';
import type { TensorPassResult } from './tensorPass';
import type { WeightUse } from './weightUses';

export interface UseInfo {
  readonly use: WeightUse;
  readonly role: Role;
  /** Read without an Identity in between (the exporter's original name for this use). */
  readonly direct: boolean;
}

/** One weight-like tensor and everything learned about it. */
export interface TensorInfo {
  readonly entry: WeightEntry;
  readonly dtype: string;
  readonly isFloat: boolean;
  readonly byteSize: number;
  readonly uses: readonly UseInfo[];
  readonly role: Role;
  readonly roles: readonly Role[];
  pass: TensorPassResult | null;
  refusal: TensorRefusal | null;
  skipped: string | null;
  /** Fingerprint label for non-layer tensors (zeros, ones, torch_default_uniform, ...). */
  label: string | null;
  labelEquivalents: string[];
}

/** One weight use that is a layer (kernel, embedding, recurrent weight). */
export interface LayerInfo {
  readonly id: string;
  readonly index: number;
  readonly tensor: TensorInfo;
  readonly use: WeightUse;
  readonly role: Role;
  /** Finer role: attention_qkv / attention_out (by structure), or null. */
  readonly roleDetail: string | null;
  readonly fan: FanResult | null;
  readonly act: ActivationFound;
  readonly rec: InitRecommendation;
  readonly fp: Fingerprint | null;
  readonly folded: boolean;
  /** No other layer downstream (classifier / lm_head / generator output). */
  readonly head: boolean;
  readonly inResidualBranch: boolean;
  /** The layer's output goes (through BN / bias Add) straight into a residual Add. */
  readonly residualEnd: boolean;
  /** A normalization sits between the previous layer and this one. */
  readonly normalizedBefore: boolean;
  /** Recurrent weights: statistics per direction and gate (ONNX gate order). */
  readonly gateStats: readonly { readonly direction: number; readonly gate: string; readonly mean: number | null; readonly std: number | null }[] | null;
  verdict: LayerVerdict;
  looksTrained: boolean | null;
  verdictReason: string;
  label: string | null;
  equivalents: string[];
  readonly findings: Finding[];
}
