// Child process of hostileMemory.test.ts (bundled by it with esbuild, run under the case's heap
// cap): runs the `onnx-init analyze` path (analyzeModel with the Node hosts, then the JSON report
// rendered piece by piece, as `analyze --format json` writes it) on each model given, and prints
// one JSON line per case: `{"start": id}` before it, then the outcome, the time and the peak RSS
// of the case (VmHWM, reset before each case through /proc/self/clear_refs where allowed).
import { readFileSync, writeFileSync } from 'node:fs';
import { analyzeModel, ExternalDataError, OnnxFormatError, TensorDecodeError } from '../../src/core/index';
import { formatJsonChunks } from '../../src/core/report/format/formatJson';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { openFileSource } from '../../src/node/fileSource';

export interface MemoryJob {
  readonly id: string;
  readonly modelPath: string;
}

export interface MemoryResult {
  readonly id: string;
  readonly outcome: 'report' | 'typed-error' | 'other-error';
  readonly error?: string;
  readonly ms: number;
  /** Peak resident set size during the case, MiB. */
  readonly peakMb: number;
  /** Whether the peak was reset before the case (else it is the process's peak so far). */
  readonly perCase: boolean;
}

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : process.resourceUsage().maxRSS;
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function runOne(job: MemoryJob): Omit<MemoryResult, 'peakMb' | 'perCase' | 'ms'> {
  try {
    const source = openFileSource(job.modelPath);
    const external = createExternalDataHost(job.modelPath);
    try {
      const report = analyzeModel({ source, external, path: job.modelPath });
      let chars = 0;
      for (const piece of formatJsonChunks(report)) chars += piece.length;
      if (chars === 0) throw new Error('empty JSON report');
      return { id: job.id, outcome: 'report' };
    } finally {
      external.close();
      source.close();
    }
  } catch (e) {
    const typed = e instanceof OnnxFormatError || e instanceof TensorDecodeError || e instanceof ExternalDataError || (e as { code?: unknown } | null)?.code !== undefined;
    return { id: job.id, outcome: typed ? 'typed-error' : 'other-error', error: `${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 300)}` };
  }
}

const jobs = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as MemoryJob[];
for (const job of jobs) {
  process.stdout.write(`${JSON.stringify({ start: job.id })}\n`);
  (globalThis as { gc?: () => void }).gc?.();
  const perCase = resetPeak();
  const t0 = performance.now();
  const r = runOne(job);
  const result: MemoryResult = { ...r, ms: performance.now() - t0, peakMb: statusKb('VmHWM') / 1024, perCase };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
