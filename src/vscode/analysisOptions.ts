import { DEFAULT_THRESHOLDS, type AnalysisOptions } from '../core/analysis/options';
import type { FineTuneOptions } from '../core/finetune/fineTuneModel';
import type { ProbeOptions } from '../core/probe/probeTypes';
import type { AnalysisSettings } from './config';

/**
 * Settings → the engine's options: the one place where `onnxInit.*` names meet the core's
 * vocabulary (the CLI maps its flags to the same options).
 */
export function toEngineOptions(s: AnalysisSettings): Partial<AnalysisOptions> {
  return {
    activation: s.activation,
    // The setting is a relative deviation t (band [1/(1+t), 1+t], as the report view shades it);
    // the engine takes the factor 1+t.
    varianceTolerance: 1 + s.varianceTolerance,
    maxElementsPerTensor: s.maxElementsPerTensor > 0 ? s.maxElementsPerTensor : null,
    severityOverrides: s.severityOverrides,
    ignore: s.ignore,
    thresholds: { ...DEFAULT_THRESHOLDS, ...s.thresholds },
  };
}

/** Fine-tune settings → suggestFineTune options (null = keep the model's own). */
export function toFineTuneOptions(s: AnalysisSettings): FineTuneOptions {
  const f = s.fineTune;
  return {
    datasetSize: f.datasetSize,
    domain: f.domain,
    ...(f.numClasses !== null ? { classes: f.numClasses } : {}),
    ...(f.inputChannels !== null ? { inputChannels: f.inputChannels } : {}),
  };
}

/** Probe settings → runProbe options (unset dims keep the probe's own defaults). */
export function toProbeOptions(s: AnalysisSettings): Partial<ProbeOptions> {
  const p = s.probe;
  return { batches: p.batches, batchSize: p.batchSize, dims: p.dimensionDefaults, seed: p.seed, timeoutSeconds: p.timeoutSeconds };
}
