import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Report } from '../core/report/reportModel';
import { AnalysisError } from './analysisService';
import type { AnalysisService } from './analysisService';
import type { Config } from './config';
import type { Log } from './log';
import { errorMessage } from './log';

/**
 * The reports the views show, one per model file, and the one
 * place that turns "analyze this" into a worker run plus user-facing errors. Views (report
 * editor, inline view, diagnostics) subscribe to `onDidUpdate` instead of calling each other.
 */
export class ModelReports implements vscode.Disposable {
  private readonly reports = new Map<string, Report>();
  private readonly _onDidUpdate = new vscode.EventEmitter<{ uri: vscode.Uri; report: Report }>();
  readonly onDidUpdate = this._onDidUpdate.event;
  private readonly _onDidFail = new vscode.EventEmitter<{ uri: vscode.Uri; message: string }>();
  readonly onDidFail = this._onDidFail.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: AnalysisService,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.disposables.push(
      config.onDidChange(() => this.reanalyzeAll('settings changed')),
      service.onDidChangeFile((uri) => this.fileChanged(uri)),
    );
  }

  get(uri: vscode.Uri): Report | undefined {
    return this.reports.get(uri.fsPath);
  }

  /**
   * Analyzes and publishes. Errors become one notification with "Show Log" (unless `quiet`
   * and the failure is not new) and resolve to undefined: callers never see a rejection.
   */
  async analyze(uri: vscode.Uri, opts: { force?: boolean; quiet?: boolean; reason?: string } = {}): Promise<Report | undefined> {
    const name = path.basename(uri.fsPath);
    try {
      if (opts.reason) this.log.info(`re-analyzing ${uri.fsPath}: ${opts.reason}`);
      const report = await this.service.analyze(uri, this.config.analysisSettings(), opts);
      this.reports.set(uri.fsPath, report);
      const began = performance.now();
      this._onDidUpdate.fire({ uri, report });
      // Diagnostics, inline view and report editors update synchronously here: the host's own share of a block.
      this.log.info(`published the report of ${uri.fsPath} to the views in ${Math.round((performance.now() - began) * 10) / 10} ms`);
      return report;
    } catch (e) {
      if (e instanceof vscode.CancellationError) {
        this.log.info(`analysis of ${uri.fsPath} cancelled`);
        return undefined;
      }
      const message = vscode.l10n.t('Cannot analyze {0}: {1}', name, errorMessage(e));
      this.reports.delete(uri.fsPath);
      this._onDidFail.fire({ uri, message });
      if (e instanceof AnalysisError) this.log.showError(message);
      else this.log.showError(message, e);
      return undefined;
    }
  }

  private fileChanged(uri: vscode.Uri): void {
    if (existsSync(uri.fsPath)) {
      void this.analyze(uri, { quiet: true, reason: 'file changed on disk' });
      return;
    }
    // Deleted (or renamed away): its findings are gone with it; no error to show.
    this.log.info(`${uri.fsPath} was deleted; its diagnostics are cleared`);
    this.forget(uri);
    this._onDidFail.fire({ uri, message: vscode.l10n.t('{0} was deleted.', path.basename(uri.fsPath)) });
  }

  private reanalyzeAll(reason: string): void {
    for (const uri of this.service.trackedFiles()) void this.analyze(uri, { quiet: true, reason });
  }

  forget(uri: vscode.Uri): void {
    this.reports.delete(uri.fsPath);
    this.service.forget(uri);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this._onDidUpdate.dispose();
    this._onDidFail.dispose();
  }
}
