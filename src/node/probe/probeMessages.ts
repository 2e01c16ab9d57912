// The messages between the runner (parent) and the probe process (child). Plain JSON over the
// fork IPC channel: small (options in, the report out), never tensors.
import type { ProbeOptions, ProbeReport } from '../../core/probe/probeTypes';
import type { LayerReport, TensorReport, VarianceForecast } from '../../core/report/reportModel';
import type { ProbeErrorInfo } from './probeError';

/** What the child needs from a static analysis already done by the caller (skips redoing it). */
export interface ProbeAnalysisInput {
  readonly layers: readonly LayerReport[];
  readonly forecast: VarianceForecast;
  /** The report's other tensors: biases let the gain check account for them (optional). */
  readonly tensors?: readonly TensorReport[];
  /** The model's verdict (`report.model.verdict`): a trained model is not at init, so findings are info. */
  readonly modelVerdict?: string;
}

export interface ProbeJob {
  readonly modelPath: string;
  readonly options: ProbeOptions;
  readonly analysis?: ProbeAnalysisInput;
}

export type ProbeStage = 'prepare' | 'load' | 'run' | 'isolated';

export type ParentToChild = { readonly type: 'run'; readonly job: ProbeJob };

export type ChildToParent =
  | { readonly type: 'progress'; readonly stage: ProbeStage; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly report: ProbeReport }
  | { readonly type: 'error'; readonly error: ProbeErrorInfo };

export function isParentToChild(m: unknown): m is ParentToChild {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'run' && typeof (m as { job?: unknown }).job === 'object';
}

export function isChildToParent(m: unknown): m is ChildToParent {
  const t = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  return t === 'progress' || t === 'result' || t === 'error';
}
