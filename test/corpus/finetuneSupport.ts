// The analysis' per-layer verdicts for the fine-tune corpus tests.
import type { LayerReport } from '../../src/core/report/reportModel';

/** Per-layer results of the analysis for the model at `path` (undefined until the engine lands). */
export function analyzeForFineTune(_path: string): readonly LayerReport[] | undefined {
  return undefined;
}
