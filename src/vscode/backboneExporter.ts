import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { SaveResult } from '../shared/protocol';
import type { Log } from './log';
import { pickSaveTarget } from './saveFile';
import type { BackboneJob, WorkerMessage } from './workerMessages';

/**
 * "Export backbone ONNX…": asks for a target (never the model itself) and writes the model cut at
 * the fine-tune plan's tensor with the fine-tune issue's exportBackbone, inside a worker thread
 * (it reads and writes the whole model, which must not block the extension host).
 */
export class BackboneExporter {
  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
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

  private run(job: BackboneJob): Promise<{ outPath: string; bytes: number; nodes: number }> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerPath, { workerData: job });
      let done = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'backbone') {
          done = true;
          resolve(m);
        } else if (m.type === 'error') {
          done = true;
          reject(new Error(m.message));
        }
      });
      worker.on('error', (e) => {
        done = true;
        reject(new Error(vscode.l10n.t('The export worker crashed: {0}', e.message)));
      });
      worker.on('exit', (code) => {
        if (!done) reject(new Error(vscode.l10n.t('The export worker exited unexpectedly (code {0}).', code)));
      });
    });
  }
}
