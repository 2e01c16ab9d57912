// Child-process entry (dist/analysisWorker.js, started by workerProcess.ts): parses and analyzes
// one model, or exports a backbone, away from the extension host's process, with the same Node
// hosts the CLI uses. It receives one job over IPC and answers with WorkerMessages; the host
// kills it to cancel, and its heap limit is its own (--max-old-space-size).
import { setPriority, constants } from 'node:os';
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
  return new Promise((resolve) => process.send?.(m, undefined, {}, () => resolve()));
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
    // (dist/parallelStatsWorker.js), exactly as the CLI does.
    return analyzeModel(
      { source, external, path: input.path },
      { ...toEngineOptions(input.settings), fineTune: toFineTuneOptions(input.settings) },
      { progress, onLayer: (layer) => void post({ type: 'layer', layer }), passRunner: parallelPassRunner(input.path) },
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
  if (report.model.fileSize > p.maxModelSizeMb * 1024 * 1024) {
    await post({ type: 'warning', message: `probe skipped: the model is larger than onnxInit.probe.maxModelSizeMb (${p.maxModelSizeMb} MB)` });
    return report;
  }
  return probeReportStep(report, input.path, toProbeOptions(input.settings));
}

/** The backbone export reads and writes the whole model: it runs here too, off the host. */
async function backbone(job: BackboneJob): Promise<void> {
  const r = exportBackbone(job.path, job.cutTensor, job.outPath);
  await post({ type: 'backbone', outPath: r.outPath, bytes: r.bytes, nodes: r.nodes });
}

process.once('message', (job: WorkerJob) => {
  // Below-normal CPU priority for this process and the threads it starts (Linux threads inherit
  // it), so on a busy machine the extension host and the UI win over the analysis.
  try {
    setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not permitted here: the analysis simply runs at normal priority.
  }
  (job.kind === 'backbone' ? backbone(job) : analyze(job))
    .catch(async (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      await post({ type: 'error', name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
    })
    .finally(() => process.disconnect?.());
});
