// The core's public surface for adapters (CLI, VS Code worker) and tests of adapters.
// Plain list of exports, one line each, so additions from different features merge easily.
export * from './errors';
export * from './host';
export * from './onnx/model';
export { parseModel, looksLikeOnnxModel, parseTensorProto, type ParseOptions } from './onnx/parseModel';
export { DEFAULT_LIMITS, type DecodeLimits } from './onnx/decodeContext';
export { dataTypeInfo, dataTypeName, rawByteLength, type DataTypeInfo, type TypedField } from './onnx/dataTypes';
export { collectWeights, resolveName, type ResolvedName } from './onnx/collectWeights';
export { tensorValueChunks, checkTensorData, DEFAULT_CHUNK_ELEMENTS, type TensorDataContext, type TensorValueOptions } from './onnx/tensorValues';
export { checkExternalLocation, externalLocationComponents, type LocationProblem } from './onnx/externalLocation';
export { auditExternalData, type ExternalDataAudit, type ExternalFileAudit, type ExternalRegion } from './onnx/externalDataAudit';
export { StatsAccumulator, computeTensorStats, nonNanView, type TensorStats, type NonNanStats } from './stats/tensorStats';
export { neutralizeControls, sanitizeForTerminal } from './text/sanitize';
export { exactIntegerExtremes } from './onnx/tensorIntegers';
export { checkSparseTensor } from './onnx/sparseTensors';
export { analyzeModel, type AnalyzeInput, type AnalyzeHooks } from './analyze';
export { DEFAULT_OPTIONS, DEFAULT_THRESHOLDS, resolveOptions, globMatch, type AnalysisOptions, type AnalysisThresholds } from './analysis/options';
export { FINDING_CODES, type FindingCode } from './analysis/findingCodes';
export { ACTIVATION_OPTIONS, calculateGain, schemeFor, type ActivationOption, type ActivationKind, type Activation } from './analysis/gains';
export { computeFan, torchFan, type FanResult, type FanPair } from './analysis/fanRules';
export { GraphIndex, nodeLabel, type NodeRef, type TensorUse } from './analysis/graphIndex';
export { xavierStd, heStd, lecunStd, torchDefaultStd, recommend } from './analysis/schemes';
export { buildReport, statsReport, TOOL_VERSION } from './report/buildReport';
export * from './report/reportModel';
