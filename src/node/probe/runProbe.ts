import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PROBE_OPTIONS, type ProbeOptions, type ProbeReport } from '../../core/probe/probeTypes';
import type { CancellationSignal } from '../../core/host';
import { ProbeError } from './probeError';
import { isChildToParent, type ProbeAnalysisInput, type ProbeStage } from './probeMessages';

/** Cancellation from the CLI (AbortSignal) or VS Code (a CancellationToken, which is polled). */
export type ProbeCancellation = AbortSignal | CancellationSignal;

export interface ProbeHooks {
  readonly signal?: ProbeCancellation;
  readonly onProgress?: (stage: ProbeStage, done: number, total: number) => void;
  /** Called with the probe process's pid once it started (so a host that may stop the caller abruptly can stop it too). */
  readonly onStarted?: (pid: number) => void;
}

export interface RunProbeOptions extends Partial<ProbeOptions> {
  /** A static analysis of the same model already done by the caller (its layers and forecast). */
  readonly analysis?: ProbeAnalysisInput;
  /** Override the probe entry (tests); default: dist/probeWorker.js beside the bundle, or the TS source. */
  readonly workerPath?: string;
}

const RSS_POLL_MS = 200;
const CANCEL_POLL_MS = 100;

/**
 * Runs the activation probe on the model at `modelPath` in a child process (onnxruntime runs
 * native code that cannot be interrupted, so the only safe limit is a process we can kill): with
 * a wall-clock timeout, a resident-memory limit read from /proc/<pid>/status, and cancellation.
 * Rejects with a `ProbeError` (never crashes the caller) when anything goes wrong.
 */
export function runProbe(modelPath: string, options: RunProbeOptions = {}, hooks: ProbeHooks = {}): Promise<ProbeReport> {
  const { analysis, workerPath, ...rest } = options;
  const probeOptions: ProbeOptions = { ...DEFAULT_PROBE_OPTIONS, ...rest, dims: { ...DEFAULT_PROBE_OPTIONS.dims, ...(rest.dims ?? {}) } };
  return new Promise<ProbeReport>((resolvePromise, reject) => {
    if (isCancelled(hooks.signal)) {
      reject(new ProbeError({ kind: 'cancelled', message: 'probe cancelled' }));
      return;
    }
    let child: ChildProcess;
    try {
      child = forkWorker(workerPath, probeOptions.memoryLimitMb);
    } catch (e) {
      reject(new ProbeError({ kind: 'crashed', message: `cannot start the probe process: ${(e as Error).message}` }));
      return;
    }
    if (child.pid !== undefined) hooks.onStarted?.(child.pid);
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let stderr = '';
    const finish = (error: ProbeError | undefined, report?: ProbeReport) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearInterval(t);
      if (hooks.signal && 'removeEventListener' in hooks.signal) hooks.signal.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolvePromise(report as ProbeReport);
    };
    const onAbort = () => finish(new ProbeError({ kind: 'cancelled', message: 'probe cancelled' }));

    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    child.on('message', (m: unknown) => {
      if (!isChildToParent(m)) return;
      if (m.type === 'progress') hooks.onProgress?.(m.stage, m.done, m.total);
      else if (m.type === 'result') finish(undefined, m.report);
      else finish(new ProbeError(m.error));
    });
    child.on('error', (e) => finish(new ProbeError({ kind: 'crashed', message: `probe process error: ${e.message}` })));
    child.on('exit', (code, signal) => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      finish(new ProbeError({ kind: 'crashed', message: `the probe process exited (${signal ?? `code ${code}`}) before reporting${tail ? `: ${tail}` : ''}` }));
    });

    timers.push(setTimeout(() => {
      finish(new ProbeError({ kind: 'timeout', message: `probe timed out after ${probeOptions.timeoutSeconds} s (raise the timeout or lower batches / batch size)` }));
    }, probeOptions.timeoutSeconds * 1000));
    timers.push(setInterval(() => {
      const rss = child.pid !== undefined ? residentMb(child.pid) : undefined;
      if (rss !== undefined && rss > probeOptions.memoryLimitMb) {
        finish(new ProbeError({ kind: 'memory-limit', message: `probe used ${Math.round(rss)} MiB, over the ${probeOptions.memoryLimitMb} MiB limit (lower batch size / dimension defaults or raise the limit)` }));
      }
    }, RSS_POLL_MS));
    if (hooks.signal && 'addEventListener' in hooks.signal) hooks.signal.addEventListener('abort', onAbort, { once: true });
    else if (hooks.signal) timers.push(setInterval(() => { if (isCancelled(hooks.signal)) onAbort(); }, CANCEL_POLL_MS));

    child.send({ type: 'run', job: { modelPath: resolve(modelPath), options: probeOptions, ...(analysis ? { analysis } : {}) } });
  });
}

function isCancelled(signal: ProbeCancellation | undefined): boolean {
  if (signal === undefined) return false;
  return 'aborted' in signal ? signal.aborted : signal.isCancellationRequested;
}

/** VmRSS of a process in MiB (Linux); undefined elsewhere or once it is gone. */
function residentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function forkWorker(workerPath: string | undefined, memoryLimitMb: number): ChildProcess {
  const heap = `--max-old-space-size=${Math.max(256, Math.floor(memoryLimitMb / 2))}`;
  const { path, ts } = workerPath !== undefined ? { path: workerPath, ts: workerPath.endsWith('.ts') } : defaultWorker();
  return fork(path, [], {
    // tsx resolved from here, so a test run from any working directory finds it.
    execArgv: ts ? ['--import', pathToFileURL(require.resolve('tsx')).href, heap] : [heap],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
    // NODE_OPTIONS of the parent (a test runner's flags, a debugger) must not leak into the probe;
    // inside VS Code, process.execPath is Electron, which runs the entry as plain Node only so.
    env: { ...process.env, NODE_OPTIONS: '', ...(process.versions.electron !== undefined ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
  });
}

/** dist/probeWorker.js beside the running bundle; from TS sources (tests, bench) the entry via tsx. */
function defaultWorker(): { path: string; ts: boolean } {
  const bundled = join(__dirname, 'probeWorker.js');
  if (existsSync(bundled)) return { path: bundled, ts: false };
  return { path: resolve(__dirname, '..', '..', 'cli', 'probeWorker.ts'), ts: true };
}
