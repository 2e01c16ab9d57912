import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Report } from '../core/report/reportModel';
import type { AnalysisSettings } from './config';
import type { Log } from './log';
import type { WorkerInput, WorkerMessage } from './workerMessages';
import { defaultIsolation, startWorkerProcess, type Isolation } from './workerProcess';

/** The latest known state of one model file, as views render it. */
export type AnalysisState =
  /** `partial`: the report so far (every layer listed, statistics of the layers not read yet pending). */
  | { readonly status: 'running'; readonly done: number; readonly total: number; readonly partial?: Report; readonly message?: string }
  | { readonly status: 'done'; readonly report: Report }
  | { readonly status: 'failed'; readonly message: string };

/** Timing of the last finished analysis (shown in the log; read by the benchmark). */
export interface AnalysisStats {
  readonly path: string;
  readonly fileSize: number;
  readonly durationMs: number;
  /** Worst event-loop delay of the extension host while the analysis ran (ms). */
  readonly maxEventLoopDelayMs: number;
  readonly p99EventLoopDelayMs: number;
  /** When the first partial report (the layer list) arrived, ms after the start; null if none came. */
  readonly firstPartialMs: number | null;
  /** The longest synchronous handling of one worker message on the host (state events and the views they update). */
  readonly longestHandlingMs: number;
}

/** A failure with a message fit for a notification (no stack). */
export class AnalysisError extends Error {
  override readonly name = 'AnalysisError';
}

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly settingsKey: string;
  readonly report: Report;
}

interface Running {
  readonly settingsKey: string;
  readonly promise: Promise<Report>;
  readonly cancel: () => void;
}

const WATCH_DEBOUNCE_MS = 300;

/**
 * Runs analyses on a worker thread (dist/analysisWorker.js; a child process when the host has a
 * process-wide V8 heap flag, see workerProcess.ts), never on the extension host's thread: one
 * fresh worker per run, so a crash or an out-of-memory ends only that worker and becomes an
 * AnalysisError. Results are cached per file (size + mtime + settings);
 * a FileSystemWatcher on each analyzed file triggers re-analysis when it changes on disk.
 */
export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly running = new Map<string, Running>();
  private readonly states = new Map<string, AnalysisState>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private readonly warned = new Set<string>();
  private readonly _onDidChangeState = new vscode.EventEmitter<{ uri: vscode.Uri; state: AnalysisState }>();
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.Uri>();
  /** Fires (debounced) when an analyzed file changed or was deleted on disk. */
  readonly onDidChangeFile = this._onDidChangeFile.event;
  lastStats: AnalysisStats | null = null;

  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
    private readonly isolation: Isolation = defaultIsolation(),
  ) {}

  state(uri: vscode.Uri): AnalysisState | undefined {
    return this.states.get(uri.fsPath);
  }

  /** The cached report if it is still valid for this file and these settings. */
  async cached(uri: vscode.Uri, settings: AnalysisSettings): Promise<Report | undefined> {
    const entry = this.cache.get(uri.fsPath);
    if (!entry || entry.settingsKey !== JSON.stringify(settings)) return undefined;
    const st = await stat(uri.fsPath).catch(() => undefined);
    return st && st.size === entry.size && st.mtimeMs === entry.mtimeMs ? entry.report : undefined;
  }

  /**
   * Analyzes `uri` (from cache when valid) with a cancellable progress notification whose
   * percentage follows the bytes of tensor data read. Rejects with AnalysisError or
   * vscode.CancellationError.
   */
  async analyze(uri: vscode.Uri, settings: AnalysisSettings, opts: { force?: boolean; quiet?: boolean } = {}): Promise<Report> {
    if (uri.scheme !== 'file') {
      throw new AnalysisError(vscode.l10n.t('Only files on disk can be analyzed ({0}); external data needs a real file system.', uri.toString()));
    }
    this.watch(uri);
    if (!opts.force) {
      const hit = await this.cached(uri, settings);
      if (hit) {
        this.setState(uri, { status: 'done', report: hit });
        return hit;
      }
    }
    const key = JSON.stringify(settings);
    const inFlight = this.running.get(uri.fsPath);
    if (inFlight && inFlight.settingsKey === key && !opts.force) return inFlight.promise;
    inFlight?.cancel();
    const title = vscode.l10n.t('Analyzing {0}', path.basename(uri.fsPath));
    return vscode.window.withProgress(
      { location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        let reported = 0;
        const run = this.start(uri, settings, (done, total, message) => {
          if (message !== undefined) {
            // After the weights (100 %): the probe's stages, as text.
            progress.report({ message: `${message} ${done}/${total}` });
            return;
          }
          const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
          if (pct > reported) {
            progress.report({ increment: pct - reported, message: `${Math.round(pct)} %` });
            reported = pct;
          }
        });
        token.onCancellationRequested(run.cancel);
        return run.promise;
      },
    );
  }

  private start(uri: vscode.Uri, settings: AnalysisSettings, onProgress: (done: number, total: number, message?: string) => void): Running {
    const file = uri.fsPath;
    const settingsKey = JSON.stringify(settings);
    const input: WorkerInput = { kind: 'analyze', path: file, settings };
    const startedAt = performance.now();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let partial: Report | undefined;
    let firstPartialMs: number | null = null;
    let longestHandlingMs = 0;
    let cancelled = false;
    let cancel = (): void => {
      cancelled = true;
    };
    const promise = (async (): Promise<Report> => {
      const st = await stat(file).catch((e: unknown) => {
        throw new AnalysisError(vscode.l10n.t('Cannot read {0}: {1}', file, e instanceof Error ? e.message : String(e)));
      });
      if (cancelled) throw new vscode.CancellationError();
      let progressNow = { done: 0, total: st.size };
      this.setState(uri, { status: 'running', ...progressNow });
      const report = await new Promise<Report>((resolve, reject) => {
        let settled = false;
        const settle = (fn: () => void): void => {
          if (!settled) {
            settled = true;
            fn();
          }
        };
        // What the host does with each worker message, synchronously (views update from the
        // state events fired here): measured, as the share of any event-loop block that is ours.
        const handle = (m: WorkerMessage): void => {
          switch (m.type) {
            case 'progress':
              onProgress(m.done, m.total, m.message);
              progressNow = { done: m.done, total: m.total };
              this.setState(uri, { status: 'running', ...progressNow, ...(partial ? { partial } : {}), ...(m.message !== undefined ? { message: m.message } : {}) });
              break;
            case 'partial':
              partial = m.report;
              firstPartialMs ??= Math.round(performance.now() - startedAt);
              this.setState(uri, { status: 'running', ...progressNow, partial });
              break;
            case 'warning':
              this.log.warn(`${file}: ${m.message}`);
              // Once per file and message in a session: a re-analysis (a setting, a save) says it again.
              if (!this.warned.has(`${file}\u0000${m.message}`)) {
                this.warned.add(`${file}\u0000${m.message}`);
                void vscode.window.showWarningMessage(`${path.basename(file)}: ${m.message}`);
              }
              break;
            case 'note':
              this.log.info(`${file}: ${m.message}`);
              break;
            case 'report':
              settle(() => resolve(m.report));
              break;
            case 'backbone':
              break;
            case 'error':
              if (m.stack) this.log.debug(m.stack);
              settle(() => reject(new AnalysisError(m.message)));
              break;
          }
        };
        const child = startWorkerProcess(this.workerPath, input, settings.workerMemoryMb, (m) => {
          const began = performance.now();
          try {
            handle(m);
          } finally {
            longestHandlingMs = Math.max(longestHandlingMs, performance.now() - began);
          }
        }, this.isolation);
        cancel = () => {
          settle(() => reject(new vscode.CancellationError()));
          child.kill();
        };
        void child.exited.then(({ how, oom, stderr }) => {
          if (settled) return;
          if (stderr.trim()) this.log.error(`analysis of ${file} ended (${how}):\n${stderr.trim()}`);
          settle(() => reject(new AnalysisError(oom
            ? vscode.l10n.t('The analysis of {0} ran out of memory (limit {1} MB, setting onnxInit.analysis.workerMemoryMb).', path.basename(file), settings.workerMemoryMb)
            : vscode.l10n.t('The analysis worker crashed ({0}); see the log.', how))));
        });
      });
      this.cache.set(file, { size: st.size, mtimeMs: st.mtimeMs, settingsKey, report });
      if (report.probe) {
        this.log.info(`probe of ${file}: ${report.probe.runtime.name} ${report.probe.runtime.version}, ${report.probe.layers.length} layers measured over ${report.probe.batches} batches`);
      }
      return report;
    })();
    const entry: Running = { settingsKey, promise, cancel: () => cancel() };
    this.running.set(file, entry);
    promise.then(
      (report) => this.setState(uri, { status: 'done', report }),
      (e: unknown) => {
        if (!(e instanceof vscode.CancellationError)) this.setState(uri, { status: 'failed', message: e instanceof Error ? e.message : String(e) });
      },
    ).finally(() => {
      loop.disable();
      const stats: AnalysisStats = {
        path: file,
        fileSize: this.cache.get(file)?.size ?? 0,
        durationMs: Math.round(performance.now() - startedAt),
        maxEventLoopDelayMs: Math.round(loop.max / 1e5) / 10,
        p99EventLoopDelayMs: Math.round(loop.percentile(99) / 1e5) / 10,
        firstPartialMs,
        longestHandlingMs: Math.round(longestHandlingMs * 10) / 10,
      };
      this.lastStats = stats;
      this.log.info(`analysis of ${file} finished in ${stats.durationMs} ms${firstPartialMs !== null ? ` (layer list after ${firstPartialMs} ms)` : ''}; worst extension-host event-loop delay ${stats.maxEventLoopDelayMs} ms (p99 ${stats.p99EventLoopDelayMs} ms), of it our longest message handling ${stats.longestHandlingMs} ms`);
      if (this.running.get(file) === entry) this.running.delete(file);
    });
    return entry;
  }

  private setState(uri: vscode.Uri, state: AnalysisState): void {
    this.states.set(uri.fsPath, state);
    this._onDidChangeState.fire({ uri, state });
  }

  private watch(uri: vscode.Uri): void {
    if (this.watchers.has(uri.fsPath)) return;
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)),
    );
    const changed = (): void => {
      clearTimeout(this.debounce.get(uri.fsPath));
      this.debounce.set(uri.fsPath, setTimeout(() => {
        this.cache.delete(uri.fsPath);
        this._onDidChangeFile.fire(uri);
      }, WATCH_DEBOUNCE_MS));
    };
    w.onDidChange(changed);
    w.onDidCreate(changed);
    w.onDidDelete(changed);
    this.watchers.set(uri.fsPath, w);
  }

  /** Forgets a file: cache, state and watcher (its views were closed and its diagnostics cleared). */
  forget(uri: vscode.Uri): void {
    this.running.get(uri.fsPath)?.cancel();
    this.cache.delete(uri.fsPath);
    this.states.delete(uri.fsPath);
    this.watchers.get(uri.fsPath)?.dispose();
    this.watchers.delete(uri.fsPath);
  }

  /** Files analyzed in this session (for re-analysis when settings change). */
  trackedFiles(): vscode.Uri[] {
    return [...this.watchers.keys()].map((p) => vscode.Uri.file(p));
  }

  dispose(): void {
    for (const r of this.running.values()) r.cancel();
    for (const w of this.watchers.values()) w.dispose();
    for (const t of this.debounce.values()) clearTimeout(t);
    this._onDidChangeState.dispose();
    this._onDidChangeFile.dispose();
  }
}
