import type { ByteSource, CancellationSignal, ExternalDataHost, ProgressSink } from './host';
import { parseModel } from './onnx/parseModel';
import { analyzeGraph } from './analysis/modelAnalysis';
import type { TensorPassRunner } from './analysis/tensorPass';
import { resolveOptions, type AnalysisOptions } from './analysis/options';
import { assessModel } from './analysis/assessModel';
import { buildReport } from './report/buildReport';
import type { LayerReport, Report } from './report/reportModel';
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
  /** Called with each layer once the whole report is assembled, in layer order. */
  readonly onLayer?: (layer: LayerReport) => void;
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
  const analysis = analyzeGraph(model, { model: input.source, external: input.external }, opts, hooks);
  const { verdict, forecast, findings } = assessModel(analysis, opts);
  const built = buildReport(analysis, input.path, opts, verdict, forecast, findings);
  const report: Report = { ...built, fineTune: suggestFineTune(model, options?.fineTune, { layers: built.layers, modelPath: input.path, data: { model: input.source, external: input.external } }) };
  for (const layer of report.layers) hooks.onLayer?.(layer);
  return report;
}
