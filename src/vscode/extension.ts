import * as vscode from 'vscode';
import { AnalysisService } from './analysisService';
import { BackboneExporter } from './backboneExporter';
import { registerCommands } from './commands';
import { Config } from './config';
import { DiagnosticsPublisher } from './diagnosticsPublisher';
import { InlineView } from './inlineView';
import { Log } from './log';
import { ModelReports } from './modelReports';
import { ReportEditorProvider } from './reportEditorProvider';

/** Construct and register; nothing else happens here (no analysis, no file access). */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = new Log();
  try {
    const config = new Config();
    const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'analysisWorker.js').fsPath;
    const service = new AnalysisService(workerPath, log);
    const reports = new ModelReports(service, config, log);
    const diagnostics = new DiagnosticsPublisher();
    const inline = new InlineView(reports, diagnostics);
    const backbone = new BackboneExporter(workerPath, log, () => config.analysisSettings().workerMemoryMb);
    const editor = new ReportEditorProvider(context.extensionUri, reports, service, inline, backbone, config, log);
    const activatedInMs = Math.round((performance.now() - started) * 10) / 10;
    context.subscriptions.push(
      log, config, service, reports, diagnostics, inline, editor,
      ...registerCommands({ reports, service, inline, editor, diagnostics, log, activatedInMs }),
    );
    log.info(`activated in ${activatedInMs} ms (extension ${context.extension.packageJSON.version}, VS Code ${vscode.version})`);
  } catch (e) {
    log.showError(vscode.l10n.t('Cannot activate the ONNX Initialization Analyzer'), e);
    throw e;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
