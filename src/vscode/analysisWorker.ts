// Entry of dist/analysisWorker.js (started by workerProcess.ts): parses and analyzes one model,
// or exports a backbone, off the extension host's thread, with the same Node hosts the CLI uses.
// It runs as a worker thread (job in workerData, messages on parentPort) or, when the host has a
// process-wide heap flag, as a child process (job and messages over IPC). The host ends it to
// cancel.
import { readlinkSync } from 'node:fs';
import { setPriority, constants } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeModel } from '../core/analyze';
import type { ProgressSink } from '../core/host';
import type { Report } from '../core/report/reportModel';
import { probeReportStep } from '../cli/commands/probe';
import { createExternalDataHost } from '../node/externalDataHost';
import { exportBackbone } from '../node/exportBackbone';
import { openFileSource } from '../node/fileSource';
import { parallelPassRunner } from '../node/parallelStats';
import { toEngineOptions, toFineTuneOptions, toProbeOptions } from './analysisOptions';
import type { BackboneJob, WorkerInput, WorkerJob, WorkerMessage } from './workerMessages';

const PROGRESS_INTERVAL_MS = 100;

function post(m: WorkerMessage): Promise<void> {
  if (parentPort) {
    parentPort.postMessage(m);
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send?.(m, undefined, {}, () => resolve()));
}

/**
 * Below-normal CPU priority for this thread (or process) and the threads it starts (Linux threads
 * inherit it), so on a busy machine the extension host and the UI win over the analysis. For a
 * thread, Linux takes the thread id (from /proc/thread-self) where setpriority expects a pid.
 */
function yieldCpuToTheHost(): void {
  try {
    const tid = parentPort ? Number(readlinkSync('/proc/thread-self').split('/').pop()) : 0;
    setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not Linux or not permitted: the analysis simply runs at normal priority.
  }
}

async function analyze(input: WorkerInput): Promise<void> {
  let lastProgress = 0;
  const progress: ProgressSink = {
    report(done: number, total: number): void {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
      lastProgress = now;
      void post({ type: 'progress', done, total });
    },
  };
  const report = analyzeFile(input, progress);
  // The file handles are closed before the probe: it runs in a process of its own.
  await post({ type: 'report', report: await withProbe(report, input) });
}

function analyzeFile(input: WorkerInput, progress: ProgressSink): Report {
  const source = openFileSource(input.path);
  const external = createExternalDataHost(input.path);
  try {
    // Big models get their tensor passes on worker threads of this process
    // (dist/parallelStatsWorker.js), exactly as the CLI does, each under the same heap limit.
    return analyzeModel(
      { source, external, path: input.path },
      { ...toEngineOptions(input.settings), fineTune: toFineTuneOptions(input.settings) },
      { progress, onPartial: (report) => void post({ type: 'partial', report }), passRunner: parallelPassRunner(input.path, process.env, input.settings.workerMemoryMb) },
    );
  } finally {
    external.close();
    source.close();
  }
}

/**
 * Adds the activation probe (onnxruntime in a process of its own) when the settings ask for it,
 * with the CLI's own `analyze --probe` step: the section goes to `report.probe`, its findings into
 * `report.findings`, and a failed probe becomes one `probe-failed` warning.
 */
async function withProbe(report: Report, input: WorkerInput): Promise<Report> {
  const p = input.settings.probe;
  if (!p.enabled) return report;
  // The probe runs the whole model: its weights count, wherever they are stored.
  const size = Math.max(report.model.fileSize, report.model.weightBytes);
  if (size > p.maxModelSizeMb * 1024 * 1024) {
    await post({ type: 'note', message: `probe skipped: the model's ${Math.round(size / 1048576)} MB are more than onnxInit.probe.maxModelSizeMb (${p.maxModelSizeMb} MB)` });
    return report;
  }
  // A host that stops this worker thread abruptly (terminate) cannot reach the probe process
  // through us: it gets its pid and stops it itself.
  const stages = { prepare: 'probe: preparing', load: 'probe: loading the model into onnxruntime', run: 'probe: forward batches', isolated: 'probe: layers in isolation' } as const;
  return probeReportStep(report, input.path, toProbeOptions(input.settings), {
    onStarted: (pid) => void post({ type: 'child', pid }),
    onProgress: (stage, done, total) => void post({ type: 'progress', done, total, message: stages[stage] }),
  });
}

/** The backbone export reads and writes the whole model: it runs here too, off the host. */
async function backbone(job: BackboneJob): Promise<void> {
  const r = exportBackbone(job.path, job.cutTensor, job.outPath);
  await post({ type: 'backbone', outPath: r.outPath, bytes: r.bytes, nodes: r.nodes });
}

function run(job: WorkerJob): void {
  yieldCpuToTheHost();
  (job.kind === 'backbone' ? backbone(job) : analyze(job))
    .catch(async (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      await post({ type: 'error', name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
    })
    .finally(() => {
      if (!parentPort) process.disconnect?.();
    });
}

if (parentPort) run(workerData as WorkerJob);
else process.once('message', run);
