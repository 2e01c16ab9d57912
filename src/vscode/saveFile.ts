import * as vscode from 'vscode';
import { atomicWrite } from '../node/atomicWrite';
import type { SaveResult } from '../shared/protocol';

/**
 * Asks where to save (starting at `defaultUri`) and writes `content` atomically (temp file +
 * rename, never a half-written file). Refuses to overwrite `protectedUri`, the model itself.
 */
export async function saveAtomically(
  defaultUri: vscode.Uri,
  filters: Record<string, string[]>,
  content: string | Uint8Array,
  protectedUri: vscode.Uri,
): Promise<SaveResult> {
  const target = await pickSaveTarget(defaultUri, filters, protectedUri);
  if (!target) return { saved: false, path: null };
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  atomicWrite(target.fsPath, (sink) => sink(bytes), { protect: [protectedUri.fsPath] });
  return { saved: true, path: target.fsPath };
}

/** The save dialog with the "never over the model" rule; undefined when the user cancelled. */
export async function pickSaveTarget(
  defaultUri: vscode.Uri,
  filters: Record<string, string[]>,
  protectedUri: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({ defaultUri, filters });
  if (!target) return undefined;
  if (target.scheme !== 'file') throw new Error(vscode.l10n.t('Exports are written to local files only.'));
  if (target.fsPath === protectedUri.fsPath) throw new Error(vscode.l10n.t('Refusing to overwrite the model itself; choose another file.'));
  return target;
}
