// Runs tensor statistics passes (core/analysis/tensorPass.ts) on worker threads, one tensor per
// job, so a model's tensors are analysed on all cores. The API is SYNCHRONOUS on purpose: the
// analysis engine is synchronous (the CLI runs it directly, VS Code in its own worker), so the
// caller blocks in Atomics.wait while the workers run, and collects their messages with
// receiveMessageOnPort. Each worker opens the model file and its external data itself (through
// the same containment rules); only plain job descriptions and results cross threads.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { TensorPassJob, TensorPassOutcome, TensorPassResult, TensorPassRunner } from '../core/analysis/tensorPass';
import { ExternalDataError, TensorDecodeError, type ExternalDataRule } from '../core/errors';

export interface ParallelPassOptions {
  /** The model file (workers open it and its external data themselves). */
  readonly modelPath: string;
  /** Worker threads (default: available cores, at most 8). */
  readonly workers?: number;
  /** Called on the calling thread with stored elements processed; may throw (e.g. CancelledError) to stop. */
  readonly onElements?: (n: number) => void;
  /** Called on the calling thread with each job's outcome as it arrives. */
  readonly onOutcome?: (index: number, outcome: TensorPassOutcome) => void;
  /** Worker script (default: parallelStatsWorker.js next to this bundle, else the .ts source through tsx). */
  readonly workerScript?: string;
  /** Fail when no worker has reported for this long (a crashed worker), default 120 s. */
  readonly stallTimeoutMs?: number;
  /** Heap limit of each worker thread (MB); default: Node's own. */
  readonly memoryMb?: number;
}

/** @internal protocol */
export type ToWorker = { readonly type: 'job'; readonly id: number; readonly job: TensorPassJob } | { readonly type: 'close' };
/** @internal protocol */
export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly elements: number }
  | { readonly type: 'done'; readonly id: number; readonly result: TensorPassResult }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'fatal'; readonly error: SerializedError };
/** @internal protocol */
export type SerializedError =
  | { readonly kind: 'tensor'; readonly message: string; readonly tensor: string; readonly rule: string }
  | { readonly kind: 'external'; readonly message: string; readonly location: string; readonly rule: string }
  | { readonly kind: 'other'; readonly message: string };

/** Jobs kept queued per worker so none idles between two tensors. */
const IN_FLIGHT = 2;
const PROGRESS_ELEMENTS = 1 << 20;

/**
 * Worth starting workers? Thread start-up costs ~30–60 ms each, so only for models with enough
 * tensor data and at least two jobs.
 */
export function parallelWorthIt(jobs: readonly TensorPassJob[], minElements = 8_000_000): boolean {
  if (jobs.length < 2 || availableParallelism() < 2) return false;
  let total = 0;
  for (const j of jobs) total += j.denseCount ?? j.tensor.elementCount;
  return total >= minElements;
}

/** How to start a worker: a bundled script, or (running from sources) an eval shim that loads tsx. */
function workerSource(explicit: string | undefined): { code: string; eval: boolean } {
  const script = explicit ?? (existsSync(join(__dirname, 'parallelStatsWorker.js')) ? join(__dirname, 'parallelStatsWorker.js') : join(__dirname, 'parallelStatsWorker.ts'));
  if (!existsSync(script)) throw new Error(`parallel statistics: worker script ${script} not found`);
  // `--import tsx` in a worker's execArgv does not apply tsx's hooks on Node 20; tsx/cjs does.
  if (script.endsWith('.ts')) return { code: `require('tsx/cjs'); require(${JSON.stringify(script)});`, eval: true };
  return { code: script, eval: false };
}

function rebuild(e: SerializedError): Error {
  if (e.kind === 'tensor') return new TensorDecodeError(e.tensor, e.rule, e.message);
  if (e.kind === 'external') return new ExternalDataError(e.location, e.rule as ExternalDataRule, e.message);
  return new Error(e.message);
}

interface Slot {
  readonly worker: Worker;
  readonly port: MessagePort;
  inFlight: number;
}

/**
 * Runs every job and returns their outcomes in job order. Larger tensors are started first
 * (longest-processing-time scheduling), and each worker pulls the next job when one finishes.
 */
export function runTensorPassesParallel(jobs: readonly TensorPassJob[], options: ParallelPassOptions): TensorPassOutcome[] {
  const outcomes: (TensorPassOutcome | undefined)[] = new Array<TensorPassOutcome | undefined>(jobs.length).fill(undefined);
  if (jobs.length === 0) return [];
  const order = jobs.map((_, i) => i).sort((a, b) => size(jobs[b]!) - size(jobs[a]!));
  const count = Math.max(1, Math.min(options.workers ?? Math.min(8, availableParallelism()), jobs.length));
  const flagBuffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(flagBuffer);
  const source = workerSource(options.workerScript);
  const slots: Slot[] = [];
  const stall = options.stallTimeoutMs ?? 120_000;
  let next = 0;
  let remaining = jobs.length;
  try {
    for (let i = 0; i < count; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source.code, {
        eval: source.eval,
        workerData: { modelPath: options.modelPath, port: port2, flag: flagBuffer, progressElements: PROGRESS_ELEMENTS },
        transferList: [port2],
        ...(options.memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: Math.max(1, Math.floor(options.memoryMb)) } } : {}),
      });
      slots.push({ worker, port: port1, inFlight: 0 });
    }
    const feed = (slot: Slot): void => {
      while (slot.inFlight < IN_FLIGHT && next < order.length) {
        const id = order[next++]!;
        slot.port.postMessage({ type: 'job', id, job: jobs[id]! } satisfies ToWorker);
        slot.inFlight++;
      }
    };
    for (const s of slots) feed(s);
    let lastMessage = Date.now();
    while (remaining > 0) {
      const seen = Atomics.load(flag, 0);
      let got = false;
      for (const slot of slots) {
        for (let m = receiveMessageOnPort(slot.port); m !== undefined; m = receiveMessageOnPort(slot.port)) {
          got = true;
          const msg = m.message as ToMain;
          if (msg.type === 'progress') options.onElements?.(msg.elements);
          else if (msg.type === 'fatal') throw new Error(`parallel statistics worker failed: ${msg.error.message}`);
          else if (msg.type === 'done' || msg.type === 'failed') {
            const outcome: TensorPassOutcome = msg.type === 'done' ? { ok: true, result: msg.result } : { ok: false, error: rebuild(msg.error) };
            outcomes[msg.id] = outcome;
            slot.inFlight--;
            remaining--;
            feed(slot);
            options.onOutcome?.(msg.id, outcome);
          }
        }
      }
      if (got) {
        lastMessage = Date.now();
        continue;
      }
      if (Date.now() - lastMessage > stall) throw new Error(`parallel statistics: no worker reported for ${Math.round(stall / 1000)} s (a worker thread stopped)`);
      Atomics.wait(flag, 0, seen, 1000);
    }
  } finally {
    for (const s of slots) {
      s.port.postMessage({ type: 'close' } satisfies ToWorker);
      s.port.close();
      // Workers exit on their own once their port closes; terminate() covers an aborted run.
      if (remaining > 0) void s.worker.terminate();
      s.worker.unref();
    }
  }
  return outcomes as TensorPassOutcome[];
}

function size(j: TensorPassJob): number {
  return j.denseCount ?? j.tensor.elementCount;
}

/**
 * The runner the adapters hand to `analyzeModel` (hooks.passRunner): worker threads when the
 * model is big enough to gain from them, else undefined (the analysis runs passes in-process).
 * ONNX_INIT_WORKERS=n sets the thread count; 1 (or 0) keeps everything on the calling thread.
 */
export function parallelPassRunner(modelPath: string, env: Readonly<Record<string, string | undefined>> = process.env, memoryMb?: number): TensorPassRunner {
  const requested = env.ONNX_INIT_WORKERS !== undefined && env.ONNX_INIT_WORKERS !== '' ? Math.floor(Number(env.ONNX_INIT_WORKERS)) : undefined;
  const workers = requested !== undefined && Number.isFinite(requested) ? requested : undefined;
  return (jobs, onElements, onOutcome) => {
    if ((workers !== undefined && workers <= 1) || !parallelWorthIt(jobs)) return undefined;
    return runTensorPassesParallel(jobs, { modelPath, workers, onElements, onOutcome, memoryMb });
  };
}
