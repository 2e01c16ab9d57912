/**
 * THE extension ⇄ webview contract of the report view. Imported by src/vscode/** (host side) and
 * webview/** (browser side); it holds types, constants and guards only, so it is safe in both
 * bundles and never drags the reader into the webview.
 *
 * Rules (docs: architecture §2.5):
 * - Discriminants are `noun/verb` string literals (readable in the webview devtools).
 * - Handshake first: the host sends nothing until `webview/ready` arrives with a matching
 *   `protocolVersion`; it then answers with `report/init` (possibly preceded by
 *   `analysis/progress` while the analysis is still running, or `analysis/failed`).
 * - Every `rpc/request` gets exactly one `rpc/result` with the same id, `ok: true` with the
 *   method's result or `ok: false` with an error message; the webview side times out.
 * - Payloads are JSON-safe: only summaries and histograms cross (the Report), never tensors.
 * - Both sides validate what they receive with `isWebviewToHost` / `isHostToWebview` and switch
 *   exhaustively (ending in `assertNever`).
 */
import type { Report } from '../core/report/reportModel';

/** Bumped on every incompatible change of the messages below. */
export const PROTOCOL_VERSION = 1;

// The fine-tune option vocabulary of src/core/finetune/fineTuneModel.ts (`DatasetSize`,
// `DomainSimilarity`), repeated as values because the guards need them at runtime.
/** How much labelled data the user has: tiny (<1k), small (<10k), medium (<100k), large. */
export type FineTuneDatasetSize = 'tiny' | 'small' | 'medium' | 'large';
export const FINE_TUNE_DATASET_SIZES: readonly FineTuneDatasetSize[] = ['tiny', 'small', 'medium', 'large'];
/** How far the fine-tuning data is from the pre-training data (drives how deep the plan unfreezes). */
export type FineTuneDomain = 'similar' | 'different';
export const FINE_TUNE_DOMAINS: readonly FineTuneDomain[] = ['similar', 'different'];

/** The user's fine-tune options (mirrors the `onnxInit.fineTune.*` settings and the CLI flags). */
export interface FineTuneSettings {
  readonly datasetSize: FineTuneDatasetSize;
  readonly domain: FineTuneDomain;
  /** Classes of the new head; null = keep the current head's output count. */
  readonly numClasses: number | null;
  /** Input channels of the new data (e.g. 1 for grayscale); null = keep the model's. */
  readonly inputChannels: number | null;
}

/** Settings the report view shows and may change. */
export interface ReportSettings {
  readonly fineTune: FineTuneSettings;
  /**
   * The `analysis.varianceTolerance` setting: relative deviation t, band [1/(1+t), 1+t]. The view
   * shades the band of the report it shows (`report.options.varianceTolerance`, the factor 1+t the
   * analysis used), so band and findings always agree; this value is for display of the setting.
   */
  readonly varianceTolerance: number;
}

/** Localized UI strings (from `vscode.l10n.t` on the host); missing keys fall back to English. */
export type WebviewStrings = Readonly<Record<string, string>>;

export type ExportFormat = 'json' | 'markdown' | 'html';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'markdown', 'html'];

/** Result of a request that opened a save dialog: `saved: false` when the user cancelled. */
export interface SaveResult {
  readonly saved: boolean;
  /** Display path of the written file (null when cancelled). */
  readonly path: string | null;
}

/** Requests the webview may make (`rpc/request`). The host answers each with exactly one `rpc/result`. */
export interface WebviewRequests {
  /** "Export JSON/Markdown/HTML…": the host shows a save dialog and writes the file atomically. */
  'export/report': { params: { readonly format: ExportFormat }; result: SaveResult };
  /**
   * "Export backbone ONNX…": the host shows a save dialog and writes the model cut at
   * `cutTensor` (the fine-tune plan's cut) through the fine-tune cut API.
   */
  'export/backbone': { params: { readonly cutTensor: string }; result: SaveResult };
  /** "Copy PyTorch snippet": the host writes `text` to the clipboard. */
  'snippet/copy': { params: { readonly text: string }; result: { readonly copied: boolean } };
  /**
   * The user changed dataset size / domain / classes / input channels in the cut view: the host
   * stores the settings, re-plans and replies with the new fine-tune section (and may also send a
   * `report/update`).
   */
  'fineTune/update': {
    params: FineTuneSettings;
    result: { readonly fineTune: Report['fineTune']; readonly settings: ReportSettings };
  };
  /** "Show inline diagnostics" (at `layerId` when given): the host opens the inline view. */
  'inline/show': { params: { readonly layerId: string | null }; result: { readonly shown: boolean } };
}
export type RequestMethod = keyof WebviewRequests;
export type RequestParams<M extends RequestMethod> = WebviewRequests[M]['params'];
export type RequestResult<M extends RequestMethod> = WebviewRequests[M]['result'];

/** One `rpc/request` per method (a discriminated union on `method`). */
export type RpcRequest = {
  [M in RequestMethod]: { readonly type: 'rpc/request'; readonly id: number; readonly method: M; readonly params: RequestParams<M> };
}[RequestMethod];

/** Messages the webview posts to the host. */
export type WebviewToHost =
  /** Sent by the webview once, as the last step of its startup (and again after a reload). */
  | { readonly type: 'webview/ready'; readonly protocolVersion: number }
  /** Sent by the webview when the user picks "Show inline diagnostics" from a layer's context. */
  | { readonly type: 'layer/reveal'; readonly layerId: string }
  /** Sent by the webview for every action that needs the host; answered by one `rpc/result`. */
  | RpcRequest;

/** Messages the host posts to the webview. */
export type HostToWebview =
  /** Sent by the host in reply to `webview/ready` once a report (possibly partial) exists. */
  | {
      readonly type: 'report/init';
      readonly report: Report;
      readonly settings: ReportSettings;
      readonly strings?: WebviewStrings;
      /** True while per-layer details are still streaming in (`report/update` messages follow). */
      readonly partial?: boolean;
    }
  /**
   * Sent by the host when a newer report exists: after a setting change, a file change on disk, or
   * progressively while per-layer details stream in (`partial: true` until the last one).
   */
  | { readonly type: 'report/update'; readonly report: Report; readonly settings?: ReportSettings; readonly partial?: boolean }
  /** Sent by the host while the analysis runs (also before `report/init`). */
  | { readonly type: 'analysis/progress'; readonly done: number; readonly total: number; readonly message?: string }
  /** Sent by the host when the analysis failed (bad file, refused external data, ...). */
  | { readonly type: 'analysis/failed'; readonly message: string }
  /** Sent by the host when the Problems panel or the inline view leads to a layer: select + show it. */
  | { readonly type: 'layer/select'; readonly layerId: string }
  /** Sent by the host exactly once per `rpc/request`, with the same `id`. */
  | RpcResult;

export type RpcResult =
  | { readonly type: 'rpc/result'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'rpc/result'; readonly id: number; readonly ok: false; readonly error: string };

/** Milliseconds the webview waits for an `rpc/result` (save dialogs wait for the user). */
export const RPC_TIMEOUT_MS = 10 * 60 * 1000;

// ---- guards --------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isCount = (v: unknown): v is number => isFiniteNum(v) && v >= 0;
const isNullableCount = (v: unknown): boolean => v === null || (Number.isSafeInteger(v) && (v as number) > 0);

/** Shallow check only: the report is produced by our own core on the host; we guard the envelope. */
function isReport(v: unknown): v is Report {
  return isObj(v) && isFiniteNum(v.schemaVersion) && isObj(v.model) && Array.isArray(v.layers) && Array.isArray(v.findings);
}

export function isFineTuneSettings(v: unknown): v is FineTuneSettings {
  return isObj(v) && FINE_TUNE_DATASET_SIZES.includes(v.datasetSize as FineTuneDatasetSize) && FINE_TUNE_DOMAINS.includes(v.domain as FineTuneDomain)
    && isNullableCount(v.numClasses) && isNullableCount(v.inputChannels);
}

function isReportSettings(v: unknown): v is ReportSettings {
  return isObj(v) && isFineTuneSettings(v.fineTune) && isCount(v.varianceTolerance);
}

function isStrings(v: unknown): boolean {
  return isObj(v) && Object.values(v).every(isStr);
}

const optional = (v: unknown, guard: (x: unknown) => boolean): boolean => v === undefined || guard(v);
const isBool = (v: unknown): boolean => typeof v === 'boolean';

// Records keyed by the union's discriminants: adding a message type or method without a
// validator is a compile error, which is what makes these guards exhaustive.
const REQUEST_PARAMS: { readonly [M in RequestMethod]: (p: Obj) => boolean } = {
  'export/report': (p) => EXPORT_FORMATS.includes(p.format as ExportFormat),
  'export/backbone': (p) => isStr(p.cutTensor) && p.cutTensor.length > 0,
  'snippet/copy': (p) => isStr(p.text),
  'fineTune/update': (p) => isFineTuneSettings(p),
  'inline/show': (p) => p.layerId === null || isStr(p.layerId),
};

const WEBVIEW_TO_HOST: { readonly [T in WebviewToHost['type']]: (m: Obj) => boolean } = {
  'webview/ready': (m) => isFiniteNum(m.protocolVersion),
  'layer/reveal': (m) => isStr(m.layerId),
  'rpc/request': (m) => isId(m.id) && isStr(m.method) && Object.hasOwn(REQUEST_PARAMS, m.method)
    && isObj(m.params) && REQUEST_PARAMS[m.method as RequestMethod](m.params),
};

const HOST_TO_WEBVIEW: { readonly [T in HostToWebview['type']]: (m: Obj) => boolean } = {
  'report/init': (m) => isReport(m.report) && isReportSettings(m.settings) && optional(m.strings, isStrings) && optional(m.partial, isBool),
  'report/update': (m) => isReport(m.report) && optional(m.settings, isReportSettings) && optional(m.partial, isBool),
  'analysis/progress': (m) => isCount(m.done) && isCount(m.total) && optional(m.message, isStr),
  'analysis/failed': (m) => isStr(m.message),
  'layer/select': (m) => isStr(m.layerId),
  'rpc/result': (m) => isId(m.id) && (m.ok === true ? 'result' in m : m.ok === false && isStr(m.error)),
};

/** Validates a message received by the host (from the webview) before it is dispatched. */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!isObj(value) || !isStr(value.type) || !Object.hasOwn(WEBVIEW_TO_HOST, value.type)) return false;
  return WEBVIEW_TO_HOST[value.type as WebviewToHost['type']](value);
}

/** Validates a message received by the webview (from the host) before it is dispatched. */
export function isHostToWebview(value: unknown): value is HostToWebview {
  if (!isObj(value) || !isStr(value.type) || !Object.hasOwn(HOST_TO_WEBVIEW, value.type)) return false;
  return HOST_TO_WEBVIEW[value.type as HostToWebview['type']](value);
}

/** Ends exhaustive switches over the unions above. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
