import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerMessage } from './workerMessages';

/** How a job is kept off the extension host's thread. */
export type Isolation = 'thread' | 'process';

/** A running analysis/export job: its end, and a way to stop it. */
export interface WorkerProcess {
  /** Resolves when the job's thread or process ended; `oom` when it died of its heap limit. */
  readonly exited: Promise<WorkerExit>;
  /** The process the job runs in (the host's own for a thread): names its atomic-write temp files. */
  readonly pid: number;
  kill(): void;
}

export interface WorkerExit {
  readonly how: string;
  readonly oom: boolean;
  readonly stderr: string;
}

const STDERR_TAIL = 8192;
const HEAP_FLAG = /--max-old-space-size|--max-semi-space-size|--max-heap-size/;

/**
 * True when this process runs with a V8 heap flag: V8 applies it to every isolate, so a worker
 * thread's resourceLimits would be silently ignored (and an out-of-memory there would abort the
 * whole extension host).
 */
export function hostHasHeapFlag(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return HEAP_FLAG.test(execArgv.join(' ')) || HEAP_FLAG.test(nodeOptions);
}

/** The isolation this host should use: a thread, unless a process-wide heap flag would void its limit. */
export function defaultIsolation(): Isolation {
  return hostHasHeapFlag() ? 'process' : 'thread';
}

/**
 * Runs dist/analysisWorker.js for one job. Normally on a worker thread: starting one costs about
 * 1 ms of the host's event loop, where `fork` of a large process blocks it in proportion to its
 * memory (measured with Node 20: 1.6 ms at 44 MB RSS, 5 ms at 290 MB, 10-19 ms at 670 MB; an
 * extension host with many extensions is larger still). The thread's heap is capped with
 * resourceLimits, and an out-of-memory there ends only the thread. When the host has a
 * process-wide heap flag that would override that cap, the job runs in a child process with its
 * own --max-old-space-size instead (VS Code's extension host sets ELECTRON_RUN_AS_NODE, so
 * `fork` runs Node there too).
 */
export function startWorkerProcess(workerPath: string, job: WorkerJob, memoryMb: number, onMessage: (m: WorkerMessage) => void, isolation: Isolation = defaultIsolation()): WorkerProcess {
  const mb = Math.max(1, Math.floor(memoryMb));
  let stderr = '';
  const collect = (d: Buffer | string): void => {
    stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
  };
  // Processes the job started (the probe's onnxruntime process) are stopped here with the job,
  // at once: not left to notice their closed channel (a terminated thread's handles close only
  // when it is torn down; a worker stuck in native code may never get there).
  const children = new Set<number>();
  const receive = (m: WorkerMessage): void => {
    if (m.type === 'child') children.add(m.pid);
    else onMessage(m);
  };
  const started = isolation === 'thread' ? startThread(workerPath, job, mb, receive, collect, () => stderr) : startProcess(workerPath, job, mb, receive, collect, () => stderr);
  const stopChildren = (): void => {
    for (const pid of children) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    children.clear();
  };
  // A job that ended (even by a crash) leaves nothing running behind it.
  void started.exited.then(stopChildren);
  return { exited: started.exited, pid: started.pid, kill: () => { stopChildren(); started.kill(); } };
}

function startThread(workerPath: string, job: WorkerJob, mb: number, onMessage: (m: WorkerMessage) => void, collect: (d: Buffer | string) => void, stderr: () => string): WorkerProcess {
  const worker = new Worker(workerPath, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: mb }, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.on('data', collect);
  worker.on('message', onMessage);
  let oom = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.on('error', (e: Error & { code?: string }) => {
      oom ||= e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      collect(`\n${e.stack ?? e.message}`);
    });
    worker.on('exit', (code) => resolve({ how: oom ? 'out of memory' : `exit code ${code}`, oom, stderr: stderr() }));
  });
  return { exited, pid: process.pid, kill: () => void worker.terminate() };
}

function startProcess(workerPath: string, job: WorkerJob, mb: number, onMessage: (m: WorkerMessage) => void, collect: (d: Buffer | string) => void, stderr: () => string): WorkerProcess {
  const child = fork(workerPath, [], {
    execArgv: [`--max-old-space-size=${mb}`],
    // Our own heap flag must not be overridden by one inherited from the host's environment.
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  child.stderr?.on('data', collect);
  child.on('message', (m: WorkerMessage) => onMessage(m));
  const exited = new Promise<WorkerExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ how: signal ?? `exit code ${code}`, oom: isOutOfMemory(stderr()), stderr: stderr() }));
    child.on('error', (e) => resolve({ how: e.message, oom: false, stderr: stderr() }));
  });
  child.send(job);
  return {
    exited,
    pid: child.pid ?? -1,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** True when a process died of a V8 heap out-of-memory (its stderr). */
function isOutOfMemory(text: string): boolean {
  return /heap out of memory|Reached heap limit|Allocation failed|javascript OOM/i.test(text);
}
