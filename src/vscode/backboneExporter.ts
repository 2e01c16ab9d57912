import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SaveResult } from '../shared/protocol';
import type { Log } from './log';
import { removeAbandonedTemps } from '../node/atomicWrite';
import { pickSaveTarget } from './saveFile';
import type { BackboneJob } from './workerMessages';
import { defaultIsolation, startWorkerProcess, type Isolation } from './workerProcess';

/**
 * "Export backbone ONNX…": asks for a target (never the model itself) and writes the model cut at
 * the fine-tune plan's tensor with the fine-tune issue's exportBackbone, in the analysis worker
 * (it reads and writes the whole model, which must not block the extension host).
 */
export class BackboneExporter {
  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
    /** The heap limit in MB (setting onnxInit.analysis.workerMemoryMb), read for each export. */
    private readonly memoryMb: () => number,
    private readonly isolation: Isolation = defaultIsolation(),
  ) {}

  async export(modelUri: vscode.Uri, cutTensor: string): Promise<SaveResult> {
    const base = path.basename(modelUri.fsPath, path.extname(modelUri.fsPath));
    const target = await pickSaveTarget(
      vscode.Uri.file(path.join(path.dirname(modelUri.fsPath), `${base}.backbone.onnx`)),
      { ONNX: ['onnx'] },
      modelUri,
    );
    if (!target) return { saved: false, path: null };
    const job: BackboneJob = { kind: 'backbone', path: modelUri.fsPath, cutTensor, outPath: target.fsPath };
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting the backbone of {0}', path.basename(modelUri.fsPath)), cancellable: true },
      (_progress, token) => this.run(job, token),
    );
    if (!result) return { saved: false, path: null };
    this.log.info(`backbone of ${modelUri.fsPath} cut at ${cutTensor} written to ${result.outPath} (${result.bytes} bytes, ${result.nodes} nodes)`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Backbone written to {0} ({1} nodes).', result.outPath, result.nodes));
    return { saved: true, path: result.outPath };
  }

  /** Runs the export job; undefined when the user cancelled it (the target is then not written). */
  private async run(job: BackboneJob, token: vscode.CancellationToken): Promise<{ outPath: string; bytes: number; nodes: number } | undefined> {
    let result: { outPath: string; bytes: number; nodes: number } | undefined;
    let failure: string | undefined;
    const memoryMb = this.memoryMb();
    const child = startWorkerProcess(this.workerPath, job, memoryMb, (m) => {
      if (m.type === 'backbone') result = m;
      else if (m.type === 'error') failure = m.message;
    }, this.isolation);
    const cancelled = token.onCancellationRequested(() => child.kill());
    const { how, oom, stderr } = await child.exited.finally(() => cancelled.dispose());
    if (result) return result;
    if (token.isCancellationRequested) {
      // The worker was stopped mid-write: its temp file (never the target) is left to remove.
      const removed = removeAbandonedTemps(job.outPath, child.pid);
      this.log.info(`backbone export of ${job.path} cancelled${removed > 0 ? ` (${removed} temp file removed)` : ''}`);
      return undefined;
    }
    if (failure) throw new Error(failure);
    if (stderr.trim()) this.log.error(`backbone export ended (${how}):\n${stderr.trim()}`);
    throw new Error(oom
      ? vscode.l10n.t('The export ran out of memory (limit {0} MB, setting onnxInit.analysis.workerMemoryMb).', memoryMb)
      : vscode.l10n.t('The export worker crashed ({0}); see the log.', how));
  }
}
