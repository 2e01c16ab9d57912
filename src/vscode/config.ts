import * as vscode from 'vscode';
import type { FineTuneDatasetSize, FineTuneDomain, FineTuneSettings, ReportSettings } from '../shared/protocol';
import { FINE_TUNE_DATASET_SIZES, FINE_TUNE_DOMAINS } from '../shared/protocol';
import type { Severity } from '../core/report/reportModel';
import type { ActivationOption } from '../core/analysis/gains';
import { ACTIVATION_OPTIONS } from '../core/analysis/gains';

/** The settings section; every key below lives under `onnxInit.`. */
export const CONFIG_SECTION = 'onnxInit';

export type SeverityOverride = Severity | 'off';
const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['error', 'warning', 'info', 'hint', 'off'];

export type ActivationSetting = ActivationOption;

/** Finding / forecast thresholds, mirrored from `onnxInit.analysis.*` (the engine's AnalysisThresholds). */
export interface ThresholdSettings {
  /** Std factor at which a variance finding is an error; null = the tolerance factor squared. */
  readonly varianceErrorFactor: number | null;
  readonly forecastExplodeAbove: number;
  readonly forecastVanishBelow: number;
  readonly deadUnitsErrorFraction: number;
}

/** Probe (onnxruntime activation run) options, mirrored from the `onnxInit.probe.*` settings. */
export interface ProbeSettings {
  readonly enabled: boolean;
  readonly maxModelSizeMb: number;
  readonly batches: number;
  readonly batchSize: number;
  readonly dimensionDefaults: Readonly<Record<string, number>>;
  readonly seed: number;
  readonly timeoutSeconds: number;
}

/**
 * Everything one analysis run depends on: a plain, structured-cloneable object (it crosses into the
 * worker) whose JSON is also the cache key, so a settings change can never reuse a stale report.
 */
export interface AnalysisSettings {
  readonly activation: ActivationSetting;
  readonly varianceTolerance: number;
  /** 0 = no limit (every element is read). */
  readonly maxElementsPerTensor: number;
  readonly severityOverrides: Readonly<Record<string, SeverityOverride>>;
  /** Glob patterns (`*`, `?`) over tensor names; matching findings are dropped. */
  readonly ignore: readonly string[];
  readonly thresholds: ThresholdSettings;
  readonly fineTune: FineTuneSettings;
  readonly probe: ProbeSettings;
  /** Worker heap limit; an analysis that needs more fails with a clear "out of memory" error. */
  readonly workerMemoryMb: number;
}

const clampNumber = (v: unknown, min: number, max: number, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
const positiveIntOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;

/**
 * One typed view of the `onnxInit.*` settings (rust-analyzer's `Config`): typed getters over a
 * private `get`, values sanitized here so nothing downstream sees a hand-edited wrong type.
 * `onDidChange` fires only for changes under our section.
 */
export class Config implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(CONFIG_SECTION)) this._onDidChange.fire();
      }),
      // Trust turns the probe setting on (it is forced off while the workspace is untrusted).
      vscode.workspace.onDidGrantWorkspaceTrust(() => this._onDidChange.fire()),
    ];
  }

  private get<T>(key: string): T | undefined {
    return vscode.workspace.getConfiguration(CONFIG_SECTION).get<T>(key);
  }

  get activation(): ActivationSetting {
    const v = this.get<string>('analysis.activation');
    return (ACTIVATION_OPTIONS as readonly string[]).includes(v ?? '') ? (v as ActivationSetting) : 'auto';
  }

  get varianceTolerance(): number {
    return clampNumber(this.get('analysis.varianceTolerance'), 0.01, 100, 1);
  }

  get maxElementsPerTensor(): number {
    return Math.floor(clampNumber(this.get('analysis.maxElementsPerTensor'), 0, Number.MAX_SAFE_INTEGER, 0));
  }

  get severityOverrides(): Record<string, SeverityOverride> {
    const raw = this.get<Record<string, unknown>>('analysis.severityOverrides') ?? {};
    const out: Record<string, SeverityOverride> = {};
    for (const [code, sev] of Object.entries(raw)) {
      if (SEVERITY_OVERRIDES.includes(sev as SeverityOverride)) out[code] = sev as SeverityOverride;
    }
    return out;
  }

  get ignore(): string[] {
    const raw = this.get<unknown[]>('analysis.ignore') ?? [];
    return raw.filter((p): p is string => typeof p === 'string' && p.length > 0);
  }

  get thresholds(): ThresholdSettings {
    const factor = this.get<unknown>('analysis.varianceErrorFactor');
    const vanish = this.get<unknown>('analysis.forecastVanishBelow');
    const explode = this.get<unknown>('analysis.forecastExplodeAbove');
    return {
      varianceErrorFactor: typeof factor === 'number' && Number.isFinite(factor) && factor >= 1 ? factor : null,
      forecastExplodeAbove: typeof explode === 'number' && Number.isFinite(explode) && explode > 1 ? explode : 100,
      forecastVanishBelow: typeof vanish === 'number' && Number.isFinite(vanish) && vanish > 0 && vanish < 1 ? vanish : 0.01,
      deadUnitsErrorFraction: clampNumber(this.get('analysis.deadUnitsErrorFraction'), 0, 1, 0.5),
    };
  }

  get fineTune(): FineTuneSettings {
    const domain = this.get<string>('fineTune.domain');
    const size = this.get<string>('fineTune.datasetSize');
    return {
      datasetSize: FINE_TUNE_DATASET_SIZES.includes(size as FineTuneDatasetSize) ? (size as FineTuneDatasetSize) : 'small',
      domain: FINE_TUNE_DOMAINS.includes(domain as FineTuneDomain) ? (domain as FineTuneDomain) : 'similar',
      numClasses: positiveIntOrNull(this.get('fineTune.numClasses')),
      inputChannels: positiveIntOrNull(this.get('fineTune.inputChannels')),
    };
  }

  get probe(): ProbeSettings {
    const dims = this.get<Record<string, unknown>>('probe.dimensionDefaults') ?? {};
    const dimensionDefaults: Record<string, number> = {};
    for (const [name, v] of Object.entries(dims)) {
      if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) dimensionDefaults[name] = v;
    }
    return {
      // Running a model is the one thing we do not do for an untrusted workspace.
      // On by default (for models up to maxModelSizeMb), never in an untrusted workspace.
      enabled: this.get<boolean>('probe.enabled') !== false && vscode.workspace.isTrusted,
      maxModelSizeMb: clampNumber(this.get('probe.maxModelSizeMb'), 0, 1e6, 100),
      batches: Math.floor(clampNumber(this.get('probe.batches'), 1, 1000, 4)),
      batchSize: Math.floor(clampNumber(this.get('probe.batchSize'), 1, 4096, 8)),
      dimensionDefaults,
      seed: Math.floor(clampNumber(this.get('probe.seed'), 0, 2 ** 31 - 1, 0)),
      timeoutSeconds: clampNumber(this.get('probe.timeoutSeconds'), 1, 3600, 60),
    };
  }

  get workerMemoryMb(): number {
    return Math.floor(clampNumber(this.get('analysis.workerMemoryMb'), 256, 65536, 4096));
  }

  /** The worker's input (also the cache key). */
  analysisSettings(): AnalysisSettings {
    return {
      activation: this.activation,
      varianceTolerance: this.varianceTolerance,
      maxElementsPerTensor: this.maxElementsPerTensor,
      severityOverrides: this.severityOverrides,
      ignore: this.ignore,
      thresholds: this.thresholds,
      fineTune: this.fineTune,
      probe: this.probe,
      workerMemoryMb: this.workerMemoryMb,
    };
  }

  reportSettings(): ReportSettings {
    return { fineTune: this.fineTune, varianceTolerance: this.varianceTolerance };
  }

  /** Stores fine-tune settings where the user keeps them (workspace if open, else user). */
  async updateFineTune(settings: FineTuneSettings): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await cfg.update('fineTune.datasetSize', settings.datasetSize, target);
    await cfg.update('fineTune.domain', settings.domain, target);
    await cfg.update('fineTune.numClasses', settings.numClasses, target);
    await cfg.update('fineTune.inputChannels', settings.inputChannels, target);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this._onDidChange.dispose();
  }
}
