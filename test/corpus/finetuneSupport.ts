// The analysis' per-layer verdicts for the fine-tune corpus tests.
import { analyzeModel } from '../../src/core/analyze';
import type { LayerReport } from '../../src/core/report/reportModel';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { openFileSource } from '../../src/node/fileSource';

/** Per-layer results of the analysis engine for the model at `path`. */
export function analyzeForFineTune(path: string): readonly LayerReport[] {
  const source = openFileSource(path);
  const host = createExternalDataHost(path);
  try {
    return analyzeModel({ source, external: host, path }).layers;
  } finally {
    host.close();
    source.close();
  }
}
