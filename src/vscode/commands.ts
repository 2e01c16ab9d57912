import * as vscode from 'vscode';
import type { Log } from './log';
import type { ModelReports } from './modelReports';
import type { AnalysisService } from './analysisService';
import type { DiagnosticsPublisher } from './diagnosticsPublisher';
import { INLINE_SCHEME, modelUriFor } from './inlineView';
import type { InlineView } from './inlineView';
import type { ReportEditorProvider } from './reportEditorProvider';
import { VIEW_TYPE } from './reportEditorProvider';

export const CommandId = {
  analyze: 'onnxInit.analyze',
  openReport: 'onnxInit.openReport',
  showInline: 'onnxInit.showInlineDiagnostics',
  clearDiagnostics: 'onnxInit.clearDiagnostics',
  showLog: 'onnxInit.showLog',
  /** Hidden: timing of the last analysis (activation, event-loop delay), for benchmarks and e2e. */
  lastAnalysisStats: 'onnxInit.debug.lastAnalysisStats',
} as const;

export interface CommandContext {
  readonly reports: ModelReports;
  readonly service: AnalysisService;
  readonly inline: InlineView;
  readonly editor: ReportEditorProvider;
  readonly diagnostics: DiagnosticsPublisher;
  readonly log: Log;
  readonly activatedInMs: number;
}

const isModel = (uri: vscode.Uri | undefined): uri is vscode.Uri => !!uri && uri.scheme === 'file' && /\.onnx$/i.test(uri.path);

/**
 * The model a command acts on: the explicit argument (explorer/editor-title menus pass the URI),
 * else the active report editor, else the inline view's model, else the active text editor's
 * file, else a file picker.
 */
async function targetModel(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg.scheme === INLINE_SCHEME ? modelUriFor(arg) : arg;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom && tab.viewType === VIEW_TYPE) return tab.uri;
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (doc?.scheme === INLINE_SCHEME) return modelUriFor(doc);
  if (isModel(doc)) return doc;
  if (tab instanceof vscode.TabInputText && isModel(tab.uri)) return tab.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { [vscode.l10n.t('ONNX models')]: ['onnx'] },
    openLabel: vscode.l10n.t('Analyze'),
  });
  return picked?.[0];
}

const layerArg = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** One table: command id → handler (rust-analyzer's createCommands), registered in one loop. */
function commandTable(ctx: CommandContext): Record<string, (...args: unknown[]) => unknown> {
  return {
    [CommandId.analyze]: async (arg?: unknown) => {
      const uri = await targetModel(arg);
      if (!uri) return;
      const report = await ctx.reports.analyze(uri, { force: true });
      if (report && !ctx.editor.isOpen(uri)) await ctx.editor.open(uri, null);
    },
    [CommandId.openReport]: async (arg?: unknown, layerId?: unknown) => {
      const uri = await targetModel(arg);
      if (uri) await ctx.editor.open(uri, layerArg(layerId));
    },
    [CommandId.showInline]: async (arg?: unknown, layerId?: unknown) => {
      const uri = await targetModel(arg);
      if (uri) await ctx.inline.show(uri, layerArg(layerId));
    },
    [CommandId.clearDiagnostics]: () => ctx.diagnostics.clear(),
    [CommandId.showLog]: () => ctx.log.show(),
    [CommandId.lastAnalysisStats]: () => ({ activatedInMs: ctx.activatedInMs, last: ctx.service.lastStats }),
  };
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(commandTable(ctx)).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      // The one catch boundary of a command: log the stack, show one notification.
      try {
        return await handler(...args);
      } catch (e) {
        ctx.log.showError(vscode.l10n.t('Command {0} failed: {1}', id, e instanceof Error ? e.message : String(e)), e);
        return undefined;
      }
    }),
  );
}
