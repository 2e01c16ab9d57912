import { fork } from 'node:child_process';
import type { WorkerJob, WorkerMessage } from './workerMessages';

/** A running analysis/export process: its messages, its end, and a way to stop it. */
export interface WorkerProcess {
  /** Resolves with the exit (code or signal) and the tail of stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
}

const STDERR_TAIL = 8192;

/**
 * Starts dist/analysisWorker.js as a child process for one job. A process, not a worker thread:
 * its heap limit (--max-old-space-size) holds even when the extension host itself runs with a
 * process-wide V8 heap flag (which overrides a worker thread's resourceLimits), an out-of-memory
 * or a native crash there can never take the extension host down, and cancelling is a kill.
 * VS Code's extension host sets ELECTRON_RUN_AS_NODE, so `fork` runs Node in VS Code desktop too.
 */
export function startWorkerProcess(workerPath: string, job: WorkerJob, memoryMb: number, onMessage: (m: WorkerMessage) => void): WorkerProcess {
  const child = fork(workerPath, [], {
    execArgv: [`--max-old-space-size=${Math.max(1, Math.floor(memoryMb))}`],
    // Our own heap flag must not be overridden by one inherited from the host's environment.
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL);
  });
  child.on('message', (m: WorkerMessage) => onMessage(m));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    child.on('error', (e) => {
      stderr += `\n${e.message}`;
      resolve({ code: null, signal: null, stderr });
    });
  });
  child.send(job);
  return {
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** True when the process died of a V8 heap out-of-memory. */
export function isOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Reached heap limit|Allocation failed|javascript OOM/i.test(stderr);
}
