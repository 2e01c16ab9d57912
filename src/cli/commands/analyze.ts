// `onnx-init analyze MODEL [options]`: runs the analysis engine on one model and prints or writes
// the report in the chosen format (options: analyzeOptions.ts). Exit codes: 0 ok, 1 findings at
// or above --fail-on, 2 bad usage / unreadable model (one line on stderr, never a stack trace).
import { statSync } from 'node:fs';
import { analyzeModel } from '../../core/analyze';
import type { Report } from '../../core/report/reportModel';
import { ExternalDataError, OnnxFormatError, TensorDecodeError } from '../../core/errors';
import { displayString } from '../../core/report/format/displayString';
import { openFileSource } from '../../node/fileSource';
import { createExternalDataHost } from '../../node/externalDataHost';
import { parallelPassRunner } from '../../node/parallelStats';
import { exitCodeFor, parseAnalyzeArgs, analyzeUsage, UsageError, type EngineOptions } from './analyzeOptions';

import { renderReport, writeReportAtomically } from './analyzeOutput';

export * from './analyzeOptions';
export * from './analyzeOutput';

/** Streams for the command (tests pass their own). */
export interface CommandIO {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

const NODE_IO: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** One line naming what is wrong with the model file, from an fs / reader error. */
export function describeModelError(path: string, error: unknown): string {
  const shown = `"${displayString(path, 200)}"`;
  const code = (error as { code?: unknown } | null)?.code;
  const fsReasons: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a model file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'file name too long',
  };
  if (typeof code === 'string' && fsReasons[code]) return `cannot read model ${shown}: ${fsReasons[code]}`;
  const message = displayString((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '', 500);
  // The reader's typed errors already say what is wrong with the file; anything else is our bug.
  const known = error instanceof OnnxFormatError || error instanceof TensorDecodeError || error instanceof ExternalDataError;
  return known ? `cannot analyze model ${shown}: ${message}` : `internal error while analyzing ${shown} (${error instanceof Error ? error.name : typeof error}): ${message}`;
}

/** Runs `onnx-init analyze` with `argv` (the words after `analyze`); resolves to the exit code. */
export async function runAnalyze(argv: readonly string[], io: CommandIO = NODE_IO): Promise<number> {
  let parsed: ReturnType<typeof parseAnalyzeArgs>;
  try {
    parsed = parseAnalyzeArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`onnx-init analyze: ${e.message} (see onnx-init analyze --help)\n`);
    return 2;
  }
  if (parsed.help || parsed.model === null) {
    io.stdout.write(analyzeUsage());
    return 0;
  }
  const { model, settings } = parsed;
  let report: Report;
  // The model and every external-data file it read: --out must never replace any of them.
  const inputs = [model];
  try {
    const info = statSync(model);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    const source = openFileSource(model);
    const external = createExternalDataHost(model);
    try {
      report = await analyzeModel({ source, external, path: model }, settings.engine as EngineOptions, { passRunner: parallelPassRunner(model, io.env) });
      inputs.push(...external.openedPaths);
    } finally {
      external.close();
      source.close?.();
    }
    for (const step of settings.after) report = await step(report, settings, model);
  } catch (e) {
    io.stderr.write(`onnx-init: ${describeModelError(model, e)}\n`);
    if (io.env.ONNX_INIT_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return 2;
  }
  const color = settings.color ?? (settings.out === null && io.stdout.isTTY === true && !io.env.NO_COLOR);
  const width = settings.out === null && io.stdout.isTTY === true ? io.stdout.columns : undefined;
  const output = renderReport(report, settings, settings.format === 'text' && settings.out === null && color, width);
  if (settings.out !== null) {
    try {
      writeReportAtomically(settings.out, output, inputs);
    } catch (e) {
      const msg = e instanceof UsageError ? e.message : `cannot write "${displayString(settings.out, 200)}": ${displayString(e instanceof Error ? e.message : String(e), 300)}`;
      io.stderr.write(`onnx-init analyze: ${msg}\n`);
      return 2;
    }
  } else {
    for (const piece of output) io.stdout.write(piece);
  }
  return exitCodeFor(report, settings.failOn);
}
