import type { ByteSource, CancellationSignal, ExternalDataHost, ProgressSink } from './host';
import { parseModel } from './onnx/parseModel';
import { analyzeGraph, type ModelAnalysis } from './analysis/modelAnalysis';
import type { TensorPassRunner } from './analysis/tensorPass';
import { resolveOptions, type AnalysisOptions } from './analysis/options';
import { assessModel } from './analysis/assessModel';
import { buildReport } from './report/buildReport';
import type { Report, VarianceForecast } from './report/reportModel';
import { suggestFineTune } from './finetune/suggestFineTune';
import type { FineTuneOptions } from './finetune/fineTuneModel';

export interface AnalyzeInput {
  readonly source: ByteSource;
  readonly external: ExternalDataHost;
  /** Path shown in the report (the adapters pass the model path). */
  readonly path: string;
}

export interface AnalyzeHooks {
  readonly signal?: CancellationSignal;
  readonly progress?: ProgressSink;
  /**
   * Called with reports of the analysis so far while it runs (every layer with its fans and
   * recommendation; statistics, verdicts and findings of the layers read so far are `pending`
   * until the final report): first once the graph is understood, when the model is big enough
   * for the analysis to take a while, then at most every second.
   */
  readonly onPartial?: (report: Report) => void;
  /** Runs the tensor statistics passes at once, e.g. on worker threads (src/node/parallelStats.ts). */
  readonly passRunner?: TensorPassRunner;
}

/**
 * Analyzes a model's weight initialization: parses it (throws OnnxFormatError for rejected
 * files), reads every weight once, and returns the JSON report. Synchronous: the adapters run it
 * in a worker.
 */
export function analyzeModel(input: AnalyzeInput, options?: Partial<AnalysisOptions> & { readonly fineTune?: FineTuneOptions }, hooks: AnalyzeHooks = {}): Report {
  const opts = resolveOptions(options);
  const model = parseModel(input.source);
  const onPartial = hooks.onPartial;
  const partial = onPartial !== undefined ? partialReporter(onPartial, (a) => buildReport(a, input.path, opts, IN_PROGRESS, NO_FORECAST, [], { inProgress: true })) : undefined;
  const analysis = analyzeGraph(model, { model: input.source, external: input.external }, opts, { ...hooks, partial });
  const { verdict, forecast, findings } = assessModel(analysis, opts, { model: input.source, external: input.external });
  const built = buildReport(analysis, input.path, opts, verdict, forecast, findings);
  return { ...built, fineTune: suggestFineTune(model, options?.fineTune, { layers: built.layers, modelPath: input.path, data: { model: input.source, external: input.external } }) };
}

const IN_PROGRESS = { verdict: 'unknown', reason: 'the analysis is still reading the weights' } as const;
const NO_FORECAST: VarianceForecast = { points: [], verdict: 'unknown', startsAt: null };
/** Tensor bytes from which the graph-only report is sent at once (reading them takes a while). */
const EARLY_BYTES = 32 << 20;
const PARTIAL_INTERVAL_MS = 1000;

/**
 * Turns the analysis's snapshots into partial reports for `emit`: the first one (the layer list,
 * nothing read yet) right away for big models, later ones at most every PARTIAL_INTERVAL_MS and
 * never more often than 4× the time one takes to build (a graph of 100,000 tensors is slow to
 * report).
 */
function partialReporter(emit: (r: Report) => void, build: (a: ModelAnalysis) => Report): (snapshot: () => ModelAnalysis, tensorBytes: number) => void {
  const start = Date.now();
  let last = -Infinity;
  let cost = 0;
  let first = true;
  return (snapshot, tensorBytes) => {
    const now = Date.now();
    const due = first ? tensorBytes >= EARLY_BYTES : now - start >= PARTIAL_INTERVAL_MS && now - last >= Math.max(PARTIAL_INTERVAL_MS, 4 * cost);
    first = false;
    if (!due) return;
    emit(build(snapshot()));
    last = Date.now();
    cost = last - now;
  };
}
