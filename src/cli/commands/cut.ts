// `onnx-init cut MODEL --at TENSOR --out backbone.onnx`: writes a new ONNX model computing TENSOR
// (the fine-tune cut) from the model's inputs. Without --at, cuts at the suggested feature
// boundary. Exit codes: 0 written, 2 bad usage / unreadable model / refused target.
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { suggestFineTune } from '../../core/finetune/suggestFineTune';
import { parseModel } from '../../core/onnx/parseModel';
import { sanitizeForTerminal } from '../../core/text/sanitize';
import { exportBackbone } from '../../node/exportBackbone';
import { openFileSource } from '../../node/fileSource';

export interface CutIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `usage: onnx-init cut MODEL --out FILE [--at TENSOR] [--json]

Writes a new ONNX model that computes TENSOR (default: the suggested fine-tune cut, the input of
the head) from MODEL's inputs: only the nodes it needs, their initializers, the same opsets.
External data stays referenced when FILE is in MODEL's folder, else it is copied to FILE.data.
FILE is written atomically and may never be MODEL itself.
`;

/** The suggested cut tensor of a model file, or a message saying why there is none. */
function suggestedCut(path: string): { tensor: string } | { error: string } {
  const source = openFileSource(path);
  try {
    const ft = suggestFineTune(parseModel(source));
    if (ft.cut) return { tensor: ft.cut.tensor };
    return { error: `no fine-tune cut is proposed for this model (${ft.kind}); pass --at TENSOR` };
  } finally {
    source.close();
  }
}

export function runCut(argv: readonly string[], io: CutIO = { stdout: process.stdout, stderr: process.stderr }): number {
  let values: { at?: string; out?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { at: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    io.stderr.write(`onnx-init cut: ${sanitizeForTerminal(e instanceof Error ? e.message : String(e))}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const path = positionals[0];
  if (path === undefined || positionals.length > 1 || values.out === undefined || values.out === '') {
    io.stderr.write(`onnx-init cut: expected one MODEL path and --out FILE\n${USAGE}`);
    return 2;
  }
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error(st.isDirectory() ? 'is a directory, not a model file' : 'not a regular file');
    let at = values.at;
    if (at === undefined) {
      const s = suggestedCut(path);
      if ('error' in s) {
        io.stderr.write(`onnx-init cut: ${sanitizeForTerminal(s.error, 300)}\n`);
        return 2;
      }
      at = s.tensor;
    }
    const r = exportBackbone(path, at, values.out);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ model: path, cut: at, out: r.outPath, bytes: r.bytes, nodes: r.nodes, initializers: r.initializers, inputs: r.inputs, functions: r.functions, externalData: r.externalData })}\n`);
    } else {
      const ext = r.externalData.mode === 'copied' ? `; external data copied to ${r.externalData.file} (${r.externalData.bytes} bytes)` : r.externalData.mode === 'referenced' ? `; external data referenced in place (${r.externalData.files.length} file${r.externalData.files.length === 1 ? '' : 's'})` : '';
      io.stdout.write(`wrote ${sanitizeForTerminal(r.outPath, 300)}: ${r.nodes} nodes, ${r.initializers} initializers, ${r.bytes} bytes, output ${sanitizeForTerminal(at, 200)}, inputs ${r.inputs.map((i) => sanitizeForTerminal(i, 80)).join(', ') || '—'}${sanitizeForTerminal(ext, 400)}\n`);
    }
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    const reason = code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'the output is a directory' : e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    io.stderr.write(`onnx-init cut: cannot cut "${sanitizeForTerminal(path, 200)}": ${sanitizeForTerminal(reason.split('\n')[0] ?? '', 500)}\n`);
    return 2;
  }
}
