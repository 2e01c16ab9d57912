// Worker-thread entry (dist/analysisWorker.js): parses and analyzes one model off the extension
// host's thread, with the same Node hosts the CLI uses. It talks to the host only by posting
// WorkerMessages; the host may terminate it at any time (cancellation, memory limit).
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeModel } from '../core/index';
import { openFileSource } from '../node/fileSource';
import { createExternalDataHost } from '../node/externalDataHost';
import { toEngineOptions } from './analysisOptions';
import type { WorkerInput, WorkerMessage } from './workerMessages';

const PROGRESS_INTERVAL_MS = 100;

async function main(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const flag = new Int32Array(input.cancel);
  const signal = {
    get isCancellationRequested(): boolean {
      return Atomics.load(flag, 0) === 1;
    },
  };
  let lastProgress = 0;
  const progress = {
    report(done: number, total: number): void {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
      lastProgress = now;
      post({ type: 'progress', done, total });
    },
  };
  const source = openFileSource(input.path);
  const external = createExternalDataHost(input.path);
  try {
    const report = await analyzeModel(
      { source, external, path: input.path },
      toEngineOptions(input.settings),
      { signal, progress, onLayer: (layer) => post({ type: 'layer', layer }) },
    );
    post({ type: 'report', report });
  } finally {
    external.close();
    source.close();
  }
}

if (parentPort) {
  const port = parentPort;
  main(port, workerData as WorkerInput).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: 'error', name: err.name, message: err.message, stack: err.stack } satisfies WorkerMessage);
  });
}
