import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Report } from '../core/report/reportModel';
import { formatHtml } from '../core/report/format/formatHtml';
import { formatJson } from '../core/report/format/formatJson';
import { formatMarkdown } from '../core/report/format/formatMarkdown';
import type { ExportFormat, RequestMethod, RequestParams, RequestResult, WebviewRequests } from '../shared/protocol';
import type { AnalysisService, AnalysisState } from './analysisService';
import type { BackboneExporter } from './backboneExporter';
import type { Config } from './config';
import type { InlineView } from './inlineView';
import type { Log } from './log';
import type { ModelReports } from './modelReports';
import { ReportPanel } from './reportPanel';
import type { ReportPanelHost } from './reportPanel';
import { saveAtomically } from './saveFile';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

export const VIEW_TYPE = 'onnxInit.report';

const EXPORTS: Record<ExportFormat, { ext: string; label: string; format: (r: Report) => string }> = {
  json: { ext: 'json', label: 'JSON', format: formatJson },
  markdown: { ext: 'md', label: 'Markdown', format: formatMarkdown },
  html: { ext: 'html', label: 'HTML', format: formatHtml },
};

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing to free: the report lives in ModelReports so that diagnostics outlive the editor.
  }
}

/**
 * The report editor for `*.onnx` (a CustomReadonlyEditorProvider: binary, never edited). It is the
 * default editor for the pattern, because the alternative VS Code offers for a model is "binary
 * file not displayed"; "Reopen Editor With…" still switches to the text/hex editor. One
 * ReportPanel (message loop) per webview; several panels per file are allowed.
 */
export class ReportEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument>, ReportPanelHost, vscode.Disposable {
  private readonly panels = new Set<ReportPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly reports: ModelReports,
    private readonly service: AnalysisService,
    private readonly inline: InlineView,
    private readonly backbone: BackboneExporter,
    readonly config: Config,
    readonly log: Log,
  ) {
    this.disposables.push(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true }),
      reports.onDidUpdate(({ uri, report }) => this.forPanels(uri, (p) => p.update(report))),
      reports.onDidFail(({ uri, message }) => this.forPanels(uri, (p) => p.failed(message))),
      service.onDidChangeState(({ uri, state }) => {
        if (state.status === 'running') this.forPanels(uri, (p) => p.update(undefined, state));
      }),
    );
  }

  private forPanels(uri: vscode.Uri, fn: (p: ReportPanel) => void): void {
    for (const p of this.panels) if (p.uri.fsPath === uri.fsPath) fn(p);
  }

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, webviewPanel: vscode.WebviewPanel): void {
    try {
      webviewPanel.webview.options = webviewOptions(this.extensionUri);
      webviewPanel.webview.html = renderWebviewHtml(webviewPanel.webview, this.extensionUri);
      const panel = new ReportPanel(webviewPanel, document.uri, this);
      this.panels.add(panel);
      panel.onDidDispose(() => this.panels.delete(panel));
      void this.reports.analyze(document.uri);
    } catch (e) {
      this.log.showError(vscode.l10n.t('Cannot open the report of {0}', path.basename(document.uri.fsPath)), e);
    }
  }

  current(uri: vscode.Uri): Report | undefined {
    return this.reports.get(uri);
  }

  state(uri: vscode.Uri): AnalysisState | undefined {
    return this.service.state(uri);
  }

  /** Opens (or focuses) the report editor of `uri`, selecting `layerId` when given. */
  async open(uri: vscode.Uri, layerId: string | null): Promise<void> {
    const existing = [...this.panels].find((p) => p.uri.fsPath === uri.fsPath);
    if (existing) existing.panel.reveal(undefined, false);
    else await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    if (layerId !== null) {
      // The panel selects the layer as soon as its webview shows the report (it may still be starting).
      for (let i = 0; i < 20; i++) {
        const p = [...this.panels].find((x) => x.uri.fsPath === uri.fsPath);
        if (p) {
          p.selectLayer(layerId);
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  isOpen(uri: vscode.Uri): boolean {
    return [...this.panels].some((p) => p.uri.fsPath === uri.fsPath);
  }

  async revealLayer(uri: vscode.Uri, layerId: string): Promise<void> {
    await this.inline.show(uri, layerId);
  }

  async handle<M extends RequestMethod>(uri: vscode.Uri, method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const handlers: { [K in RequestMethod]: (p: WebviewRequests[K]['params']) => Promise<WebviewRequests[K]['result']> } = {
      'export/report': (p) => this.exportReport(uri, p.format),
      'export/backbone': (p) => this.backbone.export(uri, p.cutTensor),
      'snippet/copy': async (p) => {
        await vscode.env.clipboard.writeText(p.text);
        return { copied: true };
      },
      'fineTune/update': async (p) => {
        await this.config.updateFineTune(p);
        // The settings change re-analyses every tracked file; this request waits for its model.
        const report = await this.reports.analyze(uri, { quiet: true });
        if (!report) throw new Error(vscode.l10n.t('The analysis with the new fine-tune settings failed; see the log.'));
        return { fineTune: report.fineTune, settings: this.config.reportSettings() };
      },
      'inline/show': async (p) => ({ shown: await this.inline.show(uri, p.layerId) }),
    };
    return handlers[method](params);
  }

  private async exportReport(uri: vscode.Uri, format: ExportFormat): Promise<{ saved: boolean; path: string | null }> {
    const report = this.reports.get(uri);
    if (!report) throw new Error(vscode.l10n.t('No report yet: the analysis has not finished.'));
    const e = EXPORTS[format];
    const base = path.basename(uri.fsPath, path.extname(uri.fsPath));
    return saveAtomically(
      vscode.Uri.file(path.join(path.dirname(uri.fsPath), `${base}.init-report.${e.ext}`)),
      { [e.label]: [e.ext] },
      e.format(report),
      uri,
    );
  }

  dispose(): void {
    for (const p of this.panels) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
