import type { AnalyzeOptions } from '../core/index';
import type { AnalysisSettings } from './config';

/**
 * Settings → the engine's options: the one place where `onnxInit.*` names meet the core's
 * vocabulary (the CLI maps its flags to the same options).
 */
export function toEngineOptions(s: AnalysisSettings): AnalyzeOptions {
  return {
    activation: s.activation,
    varianceTolerance: s.varianceTolerance,
    maxElementsPerTensor: s.maxElementsPerTensor > 0 ? s.maxElementsPerTensor : null,
    fineTune: {
      datasetSize: s.fineTune.datasetSize,
      domain: s.fineTune.domain,
      ...(s.fineTune.numClasses !== null ? { classes: s.fineTune.numClasses } : {}),
      ...(s.fineTune.inputChannels !== null ? { inputChannels: s.fineTune.inputChannels } : {}),
    },
  };
}
