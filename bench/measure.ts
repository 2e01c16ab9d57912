// Runs one command as a child and measures wall time and peak RSS. Peak RSS comes from GNU time
// (`/usr/bin/time -f %M`, the kernel's maxrss of the child) when installed, else from polling
// /proc/<pid>/status VmHWM every 5 ms (slightly low if the peak is shorter than a poll).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface RunResult {
  readonly ms: number;
  readonly peakRssMB: number | undefined;
  /** User + system CPU time of the child (all its threads), when GNU time is available. */
  readonly cpuMs: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

const GNU_TIME = '/usr/bin/time';
const HAVE_GNU_TIME = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true']).status === 0;

/** Runs `cmd args` to completion; stdout is captured (tools print a one-line JSON summary). */
export async function runMeasured(cmd: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  // GNU time prints "Command exited with non-zero status" first: the last line has the numbers.
  const rssFile = join(tmpdir(), `onnx-init-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [file, argv] = HAVE_GNU_TIME ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, [...args]];
  const t0 = process.hrtime.bigint();
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options?.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let polledKB = 0;
  const poll = HAVE_GNU_TIME
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKB = Math.max(polledKB, Number(m[1]));
        } catch {
          // exited between polls
        }
      }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (poll) clearInterval(poll);
  let peakKB: number | undefined = polledKB || undefined;
  let cpuMs: number | undefined;
  if (HAVE_GNU_TIME && existsSync(rssFile)) {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, sys] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    peakKB = rss;
    cpuMs = user !== undefined && sys !== undefined ? (user + sys) * 1000 : undefined;
    rmSync(rssFile, { force: true });
  }
  return { ms, peakRssMB: peakKB === undefined ? undefined : peakKB / 1024, cpuMs, stdout, stderr, code };
}

/**
 * Page-cache floor: `cat FILES > /dev/null` (read once first to warm the cache). Returns the best
 * wall time and the best CPU time (user + sys) over `runs`.
 */
export async function catFloor(files: readonly string[], runs: number): Promise<{ ms: number; cpuMs: number | undefined }> {
  const cmd = ['cat', ...files.map(shellQuote), '>', '/dev/null'].join(' ');
  await runMeasured('sh', ['-c', cmd]);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runMeasured('sh', ['-c', cmd]);
    times.push(r.ms);
    if (r.cpuMs !== undefined) cpu.push(r.cpuMs);
  }
  return { ms: Math.min(...times), cpuMs: cpu.length ? Math.min(...cpu) : undefined };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
