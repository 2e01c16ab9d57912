// `onnx-init inspect MODEL [--json]`: lists every weight-like tensor of a model (name, dtype,
// shape, where it is defined and where its bytes are), refusals with their reasons, and model
// warnings. Exit codes: 0 listed, 2 bad usage or unreadable model (one line, no stack trace).
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditExternalData, checkSparseTensor, checkTensorData, collectWeights, dataTypeName, parseModel, sanitizeForTerminal, type OnnxModel, type TensorStorage, type WeightEntry } from '../../core/index';
import { isAlignmentPadding } from '../../core/onnx/externalDataAudit';
import { createExternalDataHost } from '../../node/externalDataHost';
import { openFileSource } from '../../node/fileSource';

export interface InspectIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = 'usage: onnx-init inspect MODEL [--json]\n\nLists the tensors of an ONNX model: name, dtype, shape, where defined, where stored, refusals.\n';
const MAX_DIMS_SHOWN = 8;

/** One tensor row, as printed / serialised. */
export interface InspectRow {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly elementCount: number;
  readonly origin: WeightEntry['origin'];
  readonly graph: string;
  readonly constantNode?: { readonly node: string; readonly attribute: string };
  readonly storage: Record<string, unknown>;
  readonly refusal?: { readonly rule: string; readonly message: string };
  readonly warnings: readonly string[];
}

function storageJson(s: TensorStorage): Record<string, unknown> {
  switch (s.kind) {
    case 'raw': return { kind: 'raw_data', offset: s.offset, length: s.length };
    case 'typed': return { kind: s.field, segments: s.segments.length, bytes: s.segments.reduce((a, g) => a + g.length, 0), offset: s.segments[0]?.offset ?? null };
    case 'external': return { kind: 'external', location: s.location, offset: s.offset, length: s.length ?? null };
    case 'inline-values': return { kind: 'attribute-values', count: s.values.length };
    case 'none': return { kind: 'none' };
  }
}

function storageText(s: Record<string, unknown>): string {
  switch (s.kind) {
    case 'raw_data': return `raw_data @${s.offset}+${s.length}`;
    case 'external': return `external ${sanitizeForTerminal(String(s.location), 80)} @${s.offset}+${s.length ?? 'rest'}`;
    case 'attribute-values': return `attribute values (${s.count})`;
    case 'none': return 'no data';
    default: return `${String(s.kind)} (${s.segments} segment${s.segments === 1 ? '' : 's'}, ${s.bytes} bytes)`;
  }
}

function shapeText(dims: readonly number[]): string {
  const shown = dims.slice(0, MAX_DIMS_SHOWN).join(', ');
  return dims.length > MAX_DIMS_SHOWN ? `[${shown}, … (${dims.length} dims)]` : `[${shown}]`;
}

/** Builds the rows for a parsed model (refusals include the external-data host's verdicts). */
export function inspectRows(model: OnnxModel, ctx: Parameters<typeof checkTensorData>[1]): InspectRow[] {
  return collectWeights(model).map((w) => {
    const refusal = w.sparse ? checkSparseTensor(w.sparse, ctx) : checkTensorData(w.tensor, ctx);
    return {
      name: w.name,
      dtype: dataTypeName(w.tensor.dataType),
      shape: w.sparse?.dims ?? w.tensor.dims,
      elementCount: w.tensor.elementCount,
      origin: w.origin,
      graph: w.graphPath,
      ...(w.constantNode ? { constantNode: w.constantNode } : {}),
      storage: storageJson(w.tensor.storage),
      ...(refusal ? { refusal: { rule: refusal.rule, message: refusal.message } } : {}),
      warnings: w.tensor.warnings,
    };
  });
}

/** Notes on the external-data layout: overlapping tensors, bytes no tensor uses, unaligned offsets. */
function externalAudit(model: OnnxModel, ctx: Parameters<typeof checkTensorData>[1]): string[] {
  const tensors = collectWeights(model).map((w) => w.tensor).filter((t) => t.storage.kind === 'external' && checkTensorData(t, ctx) === undefined);
  if (tensors.length === 0) return [];
  const audit = auditExternalData(tensors, (location) => {
    const f = ctx.external.open(location);
    return { size: f.source.size, identity: f.identity };
  });
  const notes: string[] = [];
  for (const o of audit.overlaps) notes.push(`external data: tensors "${o.a.tensor}" and "${o.b.tensor}" overlap in ${o.a.location} (${o.length} bytes at offset ${o.offset})`);
  if (audit.overlapCount > audit.overlaps.length) notes.push(`external data: ${audit.overlapCount - audit.overlaps.length} more overlapping pairs not listed (${audit.overlapCount} in all)`);
  for (const f of audit.files) {
    const gaps = f.unreferenced.filter((g) => !isAlignmentPadding(g, f.size));
    const unused = gaps.reduce((a, r) => a + r.length, 0);
    if (unused > 0) notes.push(`external data: ${unused} bytes of ${f.location} are not referenced by any tensor (${gaps.length} regions, first at offset ${gaps[0]?.offset ?? 0})`);
  }
  if (audit.unaligned.length > 0) notes.push(`external data: ${audit.unaligned.length} tensors have offsets that are not multiples of 4096 (cannot be memory-mapped as is)`);
  return notes;
}

/** JSON with bidi / invisible format characters escaped too (JSON.stringify leaves them raw). */
function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) => `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

function renderText(path: string, model: OnnxModel, rows: readonly InspectRow[], hostWarnings: readonly string[], auditNotes: readonly string[]): string {
  const t = (s: string, n = 120) => sanitizeForTerminal(s, n);
  const lines: string[] = [];
  const opsets = model.opsetImports.map((o) => `${t(o.domain || 'ai.onnx', 40)}:${o.version}`).join(', ');
  lines.push(`model      ${t(path, 200)} (${model.fileSize} bytes)`);
  lines.push(`ir_version ${model.irVersion}   producer ${t(model.producerName, 60) || '-'} ${t(model.producerVersion, 30)}   opsets ${opsets || '-'}`);
  lines.push(`graph      ${t(model.graph.name, 80) || '-'}: ${model.graph.nodes.length} nodes, ${model.graph.initializers.length} initializers, ${model.functions.length} functions`);
  const refused = rows.filter((r) => r.refusal).length;
  lines.push(`tensors    ${rows.length} (${refused} refused)`);
  lines.push('');
  for (const r of rows) {
    const where = r.origin === 'initializer' ? r.graph : `${r.graph} ${r.origin}${r.constantNode ? ` ${t(r.constantNode.node, 40)}.${r.constantNode.attribute}` : ''}`;
    lines.push(`${t(r.name, 60)}  ${r.dtype} ${shapeText(r.shape)}  ${t(where, 100)}  ${storageText(r.storage)}`);
    if (r.refusal) lines.push(`    REFUSED (${r.refusal.rule}): ${t(r.refusal.message, 300)}`);
    for (const w of r.warnings) lines.push(`    warning: ${t(w, 300)}`);
  }
  const warnings = [...model.warnings.map((w) => `${w.code}: ${w.message}`), ...hostWarnings, ...auditNotes];
  if (warnings.length > 0) {
    lines.push('', `warnings and notes (${warnings.length}):`);
    for (const w of warnings) lines.push(`  ${t(w, 300)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `onnx-init inspect` with `argv` (the words after `inspect`); returns the exit code. */
export function runInspect(argv: readonly string[], io: InspectIO = { stdout: process.stdout, stderr: process.stderr }): number {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.stderr.write(`onnx-init inspect: ${sanitizeForTerminal(e instanceof Error ? e.message : String(e))}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const path = positionals[0];
  if (path === undefined || positionals.length > 1) {
    io.stderr.write(`onnx-init inspect: expected exactly one MODEL path\n${USAGE}`);
    return 2;
  }
  let output: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error(st.isDirectory() ? 'is a directory, not a model file' : 'not a regular file');
    const source = openFileSource(path);
    const host = createExternalDataHost(path);
    try {
      const model = parseModel(source);
      const ctx = { model: source, external: host };
      const rows = inspectRows(model, ctx);
      const audit = externalAudit(model, ctx);
      output = values.json
        ? `${safeJson({ file: path, fileSize: model.fileSize, irVersion: model.irVersion, producerName: model.producerName, producerVersion: model.producerVersion, opsetImports: model.opsetImports, tensors: rows, warnings: [...model.warnings, ...host.warnings.map((message) => ({ code: 'external-data', message })), ...audit.map((message) => ({ code: 'external-data-layout', message }))] })}\n`
        : renderText(path, model, rows, host.warnings, audit);
    } finally {
      host.close();
      source.close();
    }
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    io.stderr.write(`onnx-init inspect: cannot read model "${sanitizeForTerminal(path, 200)}": ${sanitizeForTerminal(reason.split('\n')[0] ?? '', 500)}\n`);
    return 2;
  }
  io.stdout.write(output);
  return 0;
}
