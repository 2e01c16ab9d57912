// The output side of `onnx-init analyze`: rendering the report in the chosen format and writing
// it to --out atomically, never over the model.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { atomicWrite, sameFile } from '../../node/atomicWrite';
import type { Report } from '../../core/report/reportModel';
import { formatText } from '../../core/report/format/formatText';
import { formatMarkdown } from '../../core/report/format/formatMarkdown';
import { formatHtml } from '../../core/report/format/formatHtml';
import { formatSarif } from '../../core/report/format/formatSarif';
import { formatJsonChunks } from '../../core/report/format/formatJson';
import { displayString } from '../../core/report/format/displayString';
import { UsageError, type AnalyzeSettings } from './analyzeOptions';

/**
 * Renders the report in `format` (`width`: the terminal's columns, for the text table), in
 * pieces to write one after the other (JSON reports of huge models are never one string).
 */
export function renderReport(report: Report, settings: Pick<AnalyzeSettings, 'format'>, color: boolean, width?: number): Iterable<string> {
  switch (settings.format) {
    case 'text':
      return [formatText(report, { color, width })];
    case 'json':
      return formatJsonChunks(report);
    case 'markdown':
      return [formatMarkdown(report)];
    case 'sarif':
      return [formatSarif(report)];
    case 'html':
      return [formatHtml(report)];
  }
}

/**
 * Writes `data` to `target` atomically (src/node/atomicWrite: temp file in the same folder, fsync,
 * rename), so a reader never sees half a report and a failed write leaves the old file intact.
 * Refuses the model and its external-data files, by path or through a link (UsageError, exit 2).
 */
export function writeReportAtomically(target: string, data: string | Iterable<string>, inputs: string | readonly string[]): void {
  const protect = typeof inputs === 'string' ? [inputs] : inputs;
  if (statOrNull(target)?.isDirectory()) throw new UsageError(`--out "${displayString(target, 120)}" is a directory`);
  if (!statOrNull(dirname(resolve(target)))?.isDirectory()) throw new UsageError(`--out "${displayString(target, 120)}": its folder does not exist`);
  const hit = protect.findIndex((p) => sameFile(target, p));
  if (hit === 0) throw new UsageError(`--out "${displayString(target, 120)}" is the model file itself (or a link to it); refusing to overwrite it`);
  if (hit > 0) throw new UsageError(`--out "${displayString(target, 120)}" is an external-data file of the model; refusing to overwrite it`);
  const encoder = new TextEncoder();
  atomicWrite(target, (sink) => {
    for (const piece of typeof data === 'string' ? [data] : data) sink(encoder.encode(piece));
  }, { protect });
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
