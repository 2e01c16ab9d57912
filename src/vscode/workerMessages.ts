import type { Report } from '../core/report/reportModel';
import type { AnalysisSettings } from './config';

/** What the extension host sends the analysis process (its first IPC message): an analysis or an export. */
export type WorkerJob = WorkerInput | BackboneJob;

export interface BackboneJob {
  readonly kind: 'backbone';
  readonly path: string;
  readonly cutTensor: string;
  readonly outPath: string;
}

export interface WorkerInput {
  readonly kind: 'analyze';
  readonly path: string;
  readonly settings: AnalysisSettings;
}

/** Messages the analysis process sends the host; `report`, `backbone` or `error` is always the last one. */
export type WorkerMessage =
  /** `message`: what is being done when it is not reading weights (the probe's stages). */
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly message?: string }
  /** The analysis so far (layers not read yet are `pending`), while it runs. */
  | { readonly type: 'partial'; readonly report: Report }
  | { readonly type: 'report'; readonly report: Report }
  /** A non-fatal problem (e.g. the probe failed; the static report is still complete). */
  | { readonly type: 'warning'; readonly message: string }
  /** Something worth a line in the log only (e.g. the probe was skipped by its size setting). */
  | { readonly type: 'note'; readonly message: string }
  /** A process the job started (the probe): the host stops it too when it stops the job. */
  | { readonly type: 'child'; readonly pid: number }
  /** Result of a BackboneJob. */
  | { readonly type: 'backbone'; readonly outPath: string; readonly bytes: number; readonly nodes: number }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly stack?: string };
