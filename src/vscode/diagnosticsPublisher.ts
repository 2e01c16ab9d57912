import * as vscode from 'vscode';
import type { Finding, Report } from '../core/report/reportModel';
import { findingDocUrl } from '../core/report/findingDocs';
import { displayString } from '../core/report/format/displayString';
import type { InlineReport } from './inlineText';

export const DIAGNOSTIC_SOURCE = 'onnx-init';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** The message as the Problems panel shows it: the finding's text plus the tensor and the node. */
export function diagnosticMessage(finding: Finding): string {
  const where = [finding.tensor !== null ? `tensor ${displayString(finding.tensor, 120)}` : null, finding.node !== null ? `node ${displayString(finding.node, 120)}` : null]
    .filter(Boolean)
    .join(', ');
  const message = displayString(finding.message, 2000);
  return where ? `${message} [${where}]` : message;
}

/**
 * THE converter from a core `Finding` to a `vscode.Diagnostic` (languageserver-node's
 * codeConverter idea): severity, the code linking to its README section, tensor + node in the
 * message, and optionally a related location (the inline view's line).
 */
export function toVscodeDiagnostic(finding: Finding, range: vscode.Range, related?: vscode.Location): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, diagnosticMessage(finding), SEVERITY[finding.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: finding.code, target: vscode.Uri.parse(findingDocUrl(finding.code)) };
  if (related) d.relatedInformation = [new vscode.DiagnosticRelatedInformation(related, vscode.l10n.t('Line in the inline view'))];
  return d;
}

/** The range a finding squiggles on a line of the inline view: the line's text, not its indent. */
export function lineRange(text: string, line: number): vscode.Range {
  const start = text.length - text.trimStart().length;
  return new vscode.Range(line, start, line, Math.max(start + 1, text.length));
}

/**
 * Owns the one DiagnosticCollection: entries on the model URI (a binary file has no lines, so all
 * sit at 0:0 and point at the inline view), and ranged entries on the inline view while it is open.
 */
export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);

  publishModel(modelUri: vscode.Uri, inlineUri: vscode.Uri, report: Report, inline: InlineReport): void {
    const origin = new vscode.Range(0, 0, 0, 0);
    this.collection.set(modelUri, report.findings.map((f, i) => {
      const line = inline.findingLines[i] ?? 0;
      const at = new vscode.Location(inlineUri, lineRange(inline.lines[line]?.text ?? '', line));
      return toVscodeDiagnostic(f, origin, at);
    }));
  }

  publishInline(inlineUri: vscode.Uri, report: Report, inline: InlineReport): void {
    this.collection.set(inlineUri, report.findings.map((f, i) => {
      const line = inline.findingLines[i] ?? 0;
      return toVscodeDiagnostic(f, lineRange(inline.lines[line]?.text ?? '', line));
    }));
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  delete(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  clear(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
