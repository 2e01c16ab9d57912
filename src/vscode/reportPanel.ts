import * as vscode from 'vscode';
import type { Report } from '../core/report/reportModel';
import type { HostToWebview, RequestMethod, RequestParams, RequestResult, WebviewToHost } from '../shared/protocol';
import { PROTOCOL_VERSION, assertNever, isWebviewToHost } from '../shared/protocol';
import type { AnalysisState } from './analysisService';
import type { Config } from './config';
import type { Log } from './log';
import { errorMessage } from './log';

/** What a report panel needs from the rest of the extension (a seam for the adapter tests). */
export interface ReportPanelHost {
  readonly config: Config;
  readonly log: Log;
  current(uri: vscode.Uri): Report | undefined;
  /** The latest running/failed state, for progress and errors before a report exists. */
  state(uri: vscode.Uri): AnalysisState | undefined;
  /** Answers a request (one result per request; a throw becomes an `ok: false` reply). */
  handle<M extends RequestMethod>(uri: vscode.Uri, method: M, params: RequestParams<M>): Promise<RequestResult<M>>;
  revealLayer(uri: vscode.Uri, layerId: string): Promise<void>;
}

/**
 * The message loop of one report webview (pawDraw/hexeditor pattern): nothing is posted until the
 * webview says `webview/ready` with our protocol version; then it gets `report/init` (or the
 * running progress / the failure), later `report/update`s, and exactly one `rpc/result` per request.
 */
export class ReportPanel implements vscode.Disposable {
  private ready = false;
  private initialized = false;
  /** The webview shows a complete report (a partial one never replaces it; progress is shown instead). */
  private complete = false;
  /** The partial report last posted (each is posted once). */
  private shownPartial: Report | undefined;
  /** A layer to select once the webview has a report (Problems / CodeLens can ask before that). */
  private pendingSelection: string | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly host: ReportPanelHost,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  /** Called by the provider whenever the model's report or state changed. */
  update(report: Report | undefined, state?: AnalysisState): void {
    if (!this.ready) return;
    if (report) {
      this.show(report, false);
      this.complete = true;
    } else if (state?.status === 'running') {
      if (state.partial !== undefined && !this.complete && state.partial !== this.shownPartial) {
        this.shownPartial = state.partial;
        this.show(state.partial, true);
      }
      this.post({ type: 'analysis/progress', done: state.done, total: state.total, ...(state.message !== undefined ? { message: state.message } : {}) });
    } else if (state?.status === 'failed') {
      this.post({ type: 'analysis/failed', message: state.message });
    }
  }

  private show(report: Report, partial: boolean): void {
    const settings = this.host.config.reportSettings();
    this.post(this.initialized ? { type: 'report/update', report, settings, partial } : { type: 'report/init', report, settings, partial });
    this.initialized = true;
    if (this.pendingSelection !== null) {
      this.post({ type: 'layer/select', layerId: this.pendingSelection });
      if (!partial) this.pendingSelection = null;
    }
  }

  failed(message: string): void {
    if (this.ready) this.post({ type: 'analysis/failed', message });
  }

  /** Selects a layer in the report; asked before the webview has one, it is selected once it does. */
  selectLayer(layerId: string): void {
    if (this.ready && this.initialized && this.complete) this.post({ type: 'layer/select', layerId });
    else this.pendingSelection = layerId;
  }

  private async receive(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      this.host.log.warn(`report view sent an invalid message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      // A malformed request still gets its one reply, so the webview does not wait for a timeout.
      const r = raw as { type?: unknown; id?: unknown; method?: unknown } | null;
      if (r?.type === 'rpc/request' && Number.isSafeInteger(r.id) && (r.id as number) >= 0) {
        this.post({ type: 'rpc/result', id: r.id as number, ok: false, error: `invalid request ${String(r.method).slice(0, 50)}` });
      }
      return;
    }
    const m: WebviewToHost = raw;
    switch (m.type) {
      case 'webview/ready':
        if (m.protocolVersion !== PROTOCOL_VERSION) {
          this.host.log.error(`report view speaks protocol ${m.protocolVersion}, host ${PROTOCOL_VERSION}`);
          return;
        }
        // A reload (theme change, webview restored) says ready again: start over with init.
        this.ready = true;
        this.initialized = false;
        this.complete = false;
        this.shownPartial = undefined;
        this.update(this.host.current(this.uri), this.host.state(this.uri));
        return;
      case 'layer/reveal':
        await this.host.revealLayer(this.uri, m.layerId).catch((e: unknown) => this.host.log.error('reveal failed', e));
        return;
      case 'rpc/request':
        try {
          const result = await this.host.handle(this.uri, m.method, m.params as never);
          this.post({ type: 'rpc/result', id: m.id, ok: true, result });
        } catch (e) {
          this.host.log.error(`request ${m.method} failed`, e);
          this.post({ type: 'rpc/result', id: m.id, ok: false, error: errorMessage(e) });
        }
        return;
      default:
        assertNever(m);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
