// Deterministic benchmark models, written with our own streaming writer into bench/tmp (never
// committed). Values come from xorshift32 as U(-a, a) with a per-layer a = √(6/(fan_in+fan_out))
// (Xavier uniform), generated chunk by chunk while the file is written, so even the 4 GB model
// is produced in bounded memory. A model is regenerated only when its file is missing or its
// recorded size does not match.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../src/core/onnx/model';
import type { LazyBytes } from '../src/core/protobuf/wireWriter';
import type { ModelSpec, NodeSpec, TensorSpec } from '../src/core/onnx/writer/modelSpec';
import { modelMessage } from '../src/core/onnx/writer/writeModel';

export interface BenchModel {
  readonly name: string;
  /** The .onnx file. */
  readonly path: string;
  /** Every file the model reads (the .onnx plus external data), for the `cat` floor. */
  readonly files: readonly string[];
  readonly bytes: number;
  readonly tensors: number;
}

const CHUNK_FLOATS = 1 << 18;
/** Bump when the generator changes: file names carry it, so stale files are never reused. */
const GENERATOR = 'g1';

/** U(-limit, limit) float32 values from xorshift32 seeded per tensor, yielded in 1 MiB chunks. */
function uniformPayload(count: number, limit: number, seed: number): LazyBytes {
  return {
    byteLength: count * 4,
    *chunks() {
      let s = (seed * 2654435761) >>> 0 || 1;
      const scale = (2 * limit) / 4294967296;
      for (let done = 0; done < count; ) {
        const n = Math.min(CHUNK_FLOATS, count - done);
        const f = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          f[i] = (s >>> 0) * scale - limit;
        }
        done += n;
        yield new Uint8Array(f.buffer);
      }
    },
  };
}

interface Layer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly payload: LazyBytes;
}

/**
 * A stack of MatMul → Add → Relu blocks (hidden → ff → hidden), about `targetBytes` of float32
 * weights in at least 8 blocks of at most 16 MiB per matrix.
 */
function mlpLayers(targetBytes: number): { layers: Layer[]; nodes: NodeSpec[]; hidden: number } {
  const hidden = targetBytes >= 64 << 20 ? 1024 : 256;
  const blockBytes = Math.min(32 << 20, targetBytes / 8);
  const ff = Math.max(64, Math.round(blockBytes / (2 * 4 * hidden) / 64) * 64);
  const blocks = Math.max(1, Math.round(targetBytes / (2 * 4 * hidden * ff)));
  const layers: Layer[] = [];
  const nodes: NodeSpec[] = [];
  let x = 'input';
  let seed = 1;
  for (let b = 0; b < blocks; b++) {
    for (const [i, [fin, fout]] of [[hidden, ff], [ff, hidden]].entries()) {
      const p = `block${b}.fc${i}`;
      const limit = Math.sqrt(6 / (fin! + fout!));
      layers.push({ name: `${p}.weight`, dims: [fin!, fout!], payload: uniformPayload(fin! * fout!, limit, seed++) });
      layers.push({ name: `${p}.bias`, dims: [fout!], payload: uniformPayload(fout!, 1 / Math.sqrt(fin!), seed++) });
      nodes.push({ opType: 'MatMul', name: `/${p}/MatMul`, inputs: [x, `${p}.weight`], outputs: [`${p}.mm`] });
      nodes.push({ opType: 'Add', name: `/${p}/Add`, inputs: [`${p}.mm`, `${p}.bias`], outputs: [`${p}.add`] });
      nodes.push({ opType: 'Relu', name: `/${p}/Relu`, inputs: [`${p}.add`], outputs: [`${p}.out`] });
      x = `${p}.out`;
    }
  }
  nodes.push({ opType: 'Identity', name: '/output', inputs: [x], outputs: ['output'] });
  return { layers, nodes, hidden };
}

function spec(name: string, nodes: NodeSpec[], initializers: TensorSpec[], hidden: number): ModelSpec {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'onnx-init-bench',
    graph: {
      name,
      nodes,
      initializers,
      inputs: [{ name: 'input', elemType: DataType.FLOAT, shape: ['batch', hidden] }],
      outputs: [{ name: 'output', elemType: DataType.FLOAT, shape: ['batch', hidden] }],
    },
  };
}

/** Writes through a temp file + rename so an interrupted run never leaves a half model. */
function writeFileStreaming(path: string, emit: (sink: (c: Uint8Array) => void) => void): void {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    emit((c) => {
      for (let off = 0; off < c.length; ) off += writeSync(fd, c, off, c.length - off);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function upToDate(path: string, bytes: number): boolean {
  return existsSync(path) && statSync(path).size === bytes;
}

/** An MLP stack of about `targetBytes`, in one file or with all weights in `<name>.data`. */
export function mlpModel(dir: string, name: string, targetBytes: number, external: boolean): BenchModel {
  mkdirSync(dir, { recursive: true });
  const { layers, nodes, hidden } = mlpLayers(targetBytes);
  const path = join(dir, `${name}.${GENERATOR}.onnx`);
  const dataName = `${name}.${GENERATOR}.data`;
  const dataPath = join(dir, dataName);
  let offset = 0;
  const initializers: TensorSpec[] = layers.map((l) => {
    if (!external) return { name: l.name, dataType: DataType.FLOAT, dims: l.dims, lazy: l.payload };
    // Page-aligned offsets, as onnx's external-data writer recommends for mmap.
    offset = Math.ceil(offset / 4096) * 4096;
    const t: TensorSpec = { name: l.name, dataType: DataType.FLOAT, dims: l.dims, external: { location: dataName, offset, length: l.payload.byteLength } };
    offset += l.payload.byteLength;
    return t;
  });
  const message = modelMessage(spec(name, nodes, initializers, hidden));
  const dataBytes = external ? offset : 0;
  if (!upToDate(path, message.byteLength) || (external && !upToDate(dataPath, dataBytes))) {
    if (external) {
      writeFileStreaming(dataPath, (sink) => {
        let at = 0;
        const pad = new Uint8Array(4096);
        for (const l of layers) {
          const aligned = Math.ceil(at / 4096) * 4096;
          if (aligned > at) sink(pad.subarray(0, aligned - at));
          for (const c of l.payload.chunks()) sink(c);
          at = aligned + l.payload.byteLength;
        }
      });
    }
    writeFileStreaming(path, (sink) => message.emit(sink));
  }
  return { name, path, files: external ? [path, dataPath] : [path], bytes: message.byteLength + dataBytes, tensors: layers.length };
}

/**
 * `count` small initializers ([4, 4] float32) used by a chain of `count` Mul nodes: stresses
 * per-tensor and per-node overhead (and anything quadratic in the graph size).
 */
export function manyInitializersModel(dir: string, name: string, count: number): BenchModel {
  mkdirSync(dir, { recursive: true });
  const initializers: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  let x = 'input';
  for (let i = 0; i < count; i++) {
    initializers.push({ name: `w${i}`, dataType: DataType.FLOAT, dims: [4, 4], lazy: uniformPayload(16, 0.5, i + 1) });
    nodes.push({ opType: 'Mul', name: `/mul${i}`, inputs: [x, `w${i}`], outputs: [`m${i}`] });
    x = `m${i}`;
  }
  nodes.push({ opType: 'Identity', name: '/output', inputs: [x], outputs: ['output'] });
  const s = spec(name, nodes, initializers, 4);
  const message = modelMessage({ ...s, graph: { ...s.graph, inputs: [{ name: 'input', elemType: DataType.FLOAT, shape: [4, 4] }], outputs: [{ name: 'output', elemType: DataType.FLOAT, shape: [4, 4] }] } });
  const path = join(dir, `${name}.${GENERATOR}.onnx`);
  if (!upToDate(path, message.byteLength)) writeFileStreaming(path, (sink) => message.emit(sink));
  return { name, path, files: [path], bytes: message.byteLength, tensors: count };
}

/** Records what was generated (for humans poking around bench/tmp). */
export function writeManifest(dir: string, models: readonly BenchModel[]): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(models, null, 2));
}
