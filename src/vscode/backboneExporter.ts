import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SaveResult } from '../shared/protocol';
import type { Log } from './log';
import { pickSaveTarget } from './saveFile';
import type { BackboneJob } from './workerMessages';
import { isOutOfMemory, startWorkerProcess } from './workerProcess';

/**
 * "Export backbone ONNX…": asks for a target (never the model itself) and writes the model cut at
 * the fine-tune plan's tensor with the fine-tune issue's exportBackbone, in the analysis process
 * (it reads and writes the whole model, which must not block the extension host).
 */
export class BackboneExporter {
  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
    private readonly memoryMb = 4096,
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
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting the backbone of {0}', path.basename(modelUri.fsPath)) },
      () => this.run(job),
    );
    this.log.info(`backbone of ${modelUri.fsPath} cut at ${cutTensor} written to ${result.outPath} (${result.bytes} bytes, ${result.nodes} nodes)`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Backbone written to {0} ({1} nodes).', result.outPath, result.nodes));
    return { saved: true, path: result.outPath };
  }

  private async run(job: BackboneJob): Promise<{ outPath: string; bytes: number; nodes: number }> {
    let result: { outPath: string; bytes: number; nodes: number } | undefined;
    let failure: string | undefined;
    const child = startWorkerProcess(this.workerPath, job, this.memoryMb, (m) => {
      if (m.type === 'backbone') result = m;
      else if (m.type === 'error') failure = m.message;
    });
    const { code, signal, stderr } = await child.exited;
    if (result) return result;
    if (failure) throw new Error(failure);
    if (stderr.trim()) this.log.error(`backbone export process ended (${signal ?? `code ${code}`}):\n${stderr.trim()}`);
    throw new Error(isOutOfMemory(stderr)
      ? vscode.l10n.t('The export ran out of memory (limit {0} MB, setting onnxInit.analysis.workerMemoryMb).', this.memoryMb)
      : vscode.l10n.t('The export process crashed ({0}); see the log.', signal ?? `exit code ${code}`));
  }
}
