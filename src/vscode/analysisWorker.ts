// Worker-thread entry (dist/analysisWorker.js): parses and analyzes one model off the extension
// host's thread, with the same Node hosts the CLI uses. It talks to the host only by posting
// WorkerMessages; the host may terminate it at any time (cancellation, memory limit).
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { analyzeModel } from '../core/analyze';
import { openFileSource } from '../node/fileSource';
import { createExternalDataHost } from '../node/externalDataHost';
import { parallelPassRunner } from '../node/parallelStats';
import { probeReportStep } from '../cli/commands/probe';
import type { CancellationSignal, ProgressSink } from '../core/host';
import type { Report } from '../core/report/reportModel';
import { toEngineOptions, toFineTuneOptions, toProbeOptions } from './analysisOptions';
import { exportBackbone } from '../node/exportBackbone';
import type { BackboneJob, WorkerInput, WorkerJob, WorkerMessage } from './workerMessages';

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
  const report = analyzeFile(input, signal, progress, post);
  // The file handles are closed before the probe: it runs in a process of its own.
  post({ type: 'report', report: await withProbe(report, input, post) });
}

function analyzeFile(input: WorkerInput, signal: CancellationSignal, progress: ProgressSink, post: (m: WorkerMessage) => void): Report {
  const source = openFileSource(input.path);
  const external = createExternalDataHost(input.path);
  try {
    // Big models get their tensor passes on more worker threads (dist/parallelStatsWorker.js),
    // exactly as the CLI does; this thread then waits for them.
    return analyzeModel(
      { source, external, path: input.path },
      { ...toEngineOptions(input.settings), fineTune: toFineTuneOptions(input.settings) },
      { signal, progress, onLayer: (layer) => post({ type: 'layer', layer }), passRunner: parallelPassRunner(input.path) },
    );
  } finally {
    external.close();
    source.close();
  }
}

/**
 * Adds the activation probe (onnxruntime in a child process) when the settings ask for it, with
 * the CLI's own `analyze --probe` step: the section goes to `report.probe`, its findings into
 * `report.findings`, and a failed probe becomes one `probe-failed` warning.
 */
async function withProbe(report: Report, input: WorkerInput, post: (m: WorkerMessage) => void): Promise<Report> {
  const p = input.settings.probe;
  if (!p.enabled) return report;
  if (report.model.fileSize > p.maxModelSizeMb * 1024 * 1024) {
    post({ type: 'warning', message: `probe skipped: the model is larger than onnxInit.probe.maxModelSizeMb (${p.maxModelSizeMb} MB)` });
    return report;
  }
  return probeReportStep(report, input.path, toProbeOptions(input.settings));
}

/** The backbone export reads and writes the whole model: it runs here too, off the host's thread. */
function backbone(port: NonNullable<typeof parentPort>, job: BackboneJob): void {
  const r = exportBackbone(job.path, job.cutTensor, job.outPath);
  port.postMessage({ type: 'backbone', outPath: r.outPath, bytes: r.bytes, nodes: r.nodes } satisfies WorkerMessage);
}

/**
 * Lowers this thread's CPU priority (Linux: setpriority on the thread id from /proc/thread-self),
 * so that on a busy machine the extension host's main thread and the UI win over the analysis.
 * Best effort: elsewhere, or without /proc, the worker keeps the normal priority.
 */
function yieldCpuToTheHost(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not Linux or no permission: the analysis simply runs at normal priority.
  }
}

if (parentPort) {
  yieldCpuToTheHost();
  const port = parentPort;
  const job = workerData as WorkerJob;
  (job.kind === 'backbone' ? Promise.resolve().then(() => backbone(port, job)) : main(port, job)).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: 'error', name: err.name, message: err.message, stack: err.stack } satisfies WorkerMessage);
  });
}
