import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Report } from '../core/report/reportModel';
import type { DiagnosticsPublisher } from './diagnosticsPublisher';
import { layerHoverMarkdown, tensorHoverMarkdown } from './inlineHover';
import type { InlineReport } from './inlineText';
import { lineOfLayer, renderInlineReport } from './inlineText';
import type { ModelReports } from './modelReports';

/** Scheme of the read-only inline view; its documents get the `onnx-init-report` language. */
export const INLINE_SCHEME = 'onnx-init';
export const INLINE_LANGUAGE = 'onnx-init-report';
// The language is contributed for this extension, so VS Code picks it from the path alone.
const SUFFIX = '.onnx-init';

export function inlineUriFor(modelUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: INLINE_SCHEME, path: modelUri.path + SUFFIX });
}

export function modelUriFor(inlineUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.file(inlineUri.path.endsWith(SUFFIX) ? inlineUri.path.slice(0, -SUFFIX.length) : inlineUri.path);
}

interface Entry {
  readonly report: Report;
  readonly inline: InlineReport;
}

/**
 * The model as readable text (a binary file has no lines): a TextDocumentContentProvider under
 * its own scheme, with ranged diagnostics while the document is open (so findings are real
 * squiggles), hovers with the full numbers and reasoning, and a CodeLens per layer that jumps to
 * the report. It also publishes the model-URI diagnostics, since it owns the line mapping.
 */
export class InlineView implements vscode.TextDocumentContentProvider, vscode.HoverProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidChangeCodeLenses = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly reports: ModelReports,
    private readonly diagnostics: DiagnosticsPublisher,
  ) {
    const selector: vscode.DocumentSelector = { scheme: INLINE_SCHEME };
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(INLINE_SCHEME, this),
      vscode.languages.registerHoverProvider(selector, this),
      vscode.languages.registerCodeLensProvider(selector, this),
      reports.onDidUpdate(({ uri, report }) => this.update(uri, report)),
      reports.onDidFail(({ uri }) => this.clear(uri)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.onOpen(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === INLINE_SCHEME) this.diagnostics.delete(doc.uri);
      }),
    );
  }

  private isOpen(inlineUri: vscode.Uri): boolean {
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === inlineUri.toString());
  }

  private update(modelUri: vscode.Uri, report: Report): void {
    const inlineUri = inlineUriFor(modelUri);
    const inline = renderInlineReport(report, path.basename(modelUri.fsPath));
    this.entries.set(modelUri.fsPath, { report, inline });
    this.diagnostics.publishModel(modelUri, inlineUri, report, inline);
    if (this.isOpen(inlineUri)) this.diagnostics.publishInline(inlineUri, report, inline);
    this._onDidChange.fire(inlineUri);
    this._onDidChangeCodeLenses.fire();
  }

  clear(modelUri: vscode.Uri): void {
    this.entries.delete(modelUri.fsPath);
    this.diagnostics.delete(modelUri);
    this.diagnostics.delete(inlineUriFor(modelUri));
    this._onDidChange.fire(inlineUriFor(modelUri));
  }

  private onOpen(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== INLINE_SCHEME) return;
    if (doc.languageId !== INLINE_LANGUAGE) void vscode.languages.setTextDocumentLanguage(doc, INLINE_LANGUAGE);
    const e = this.entries.get(modelUriFor(doc.uri).fsPath);
    if (e) this.diagnostics.publishInline(doc.uri, e.report, e.inline);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const e = this.entries.get(modelUriFor(uri).fsPath);
    return e ? e.inline.text : vscode.l10n.t('# Not analyzed yet: run "ONNX: Analyze Initialization" on {0}\n', modelUriFor(uri).fsPath);
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const e = this.entries.get(modelUriFor(doc.uri).fsPath);
    const line = e?.inline.lines[pos.line];
    if (!e || !line) return undefined;
    const findings = e.report.findings.filter((_, i) => e.inline.findingLines[i] === pos.line);
    let text: string | undefined;
    if (line.kind === 'layer') {
      const layer = e.report.layers.find((l) => l.id === line.layerId);
      if (layer) text = layerHoverMarkdown(layer, findings, e.report.probe?.layers.find((p) => p.layerId === layer.id));
    } else if (line.kind === 'tensor' && line.tensor !== undefined) {
      text = tensorHoverMarkdown(line.tensor, e.report.tensors.find((t) => t.name === line.tensor), findings);
    } else if (line.kind === 'header') {
      text = `${e.report.model.verdict}: ${e.report.model.verdictReason}`;
    }
    if (!text) return undefined;
    const markdown = new vscode.MarkdownString(text);
    markdown.supportHtml = false;
    return new vscode.Hover(markdown, doc.lineAt(pos.line).range);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const modelUri = modelUriFor(doc.uri);
    const e = this.entries.get(modelUri.fsPath);
    if (!e) return [];
    const perLine = new Map<number, number>();
    for (const l of e.inline.findingLines) perLine.set(l, (perLine.get(l) ?? 0) + 1);
    const lenses: vscode.CodeLens[] = [];
    e.inline.lines.forEach((line, i) => {
      if (line.kind !== 'layer' && !(line.kind === 'header')) return;
      const n = perLine.get(i) ?? 0;
      const range = new vscode.Range(i, 0, i, 0);
      const title = line.kind === 'header'
        ? vscode.l10n.t('Open Report')
        : n > 0 ? vscode.l10n.t('{0} finding(s) · open in report', n) : vscode.l10n.t('open in report');
      lenses.push(new vscode.CodeLens(range, { title, command: 'onnxInit.openReport', arguments: [modelUri, line.layerId ?? null] }));
    });
    return lenses;
  }

  /** Opens the inline view of `modelUri`, at `layerId`'s line when given. */
  async show(modelUri: vscode.Uri, layerId: string | null): Promise<boolean> {
    if (!this.entries.has(modelUri.fsPath) && !(await this.reports.analyze(modelUri))) return false;
    const doc = await vscode.workspace.openTextDocument(inlineUriFor(modelUri));
    const e = this.entries.get(modelUri.fsPath);
    const line = e && layerId !== null ? lineOfLayer(e.inline, layerId) ?? 0 : 0;
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const at = new vscode.Range(line, 0, line, 0);
    editor.selection = new vscode.Selection(at.start, at.start);
    editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this._onDidChange.dispose();
    this._onDidChangeCodeLenses.dispose();
  }
}
