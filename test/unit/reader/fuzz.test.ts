// Mutation fuzzing of the reader over committed seeds (fixture models + a synthetic model that
// exercises every storage path): truncations, bit flips, varint tampering, length-field
// tampering, byte insertion / deletion. Every mutant must parse or throw OnnxFormatError, and
// decoding every tensor of a parsed mutant may only throw the reader's typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import {
  bytesSource, checkSparseTensor, checkTensorData, collectWeights, computeTensorStats, dataTypeInfo, DataType,
  ExternalDataError, NO_EXTERNAL_DATA, OnnxFormatError, parseModel, TensorDecodeError, tensorValueChunks,
} from '../../../src/core/index';
import { WireReader } from '../../../src/core/protobuf/wireReader';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { varint } from './pb';

const CASES = 5000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticSeed(): Uint8Array {
  const F = DataType.FLOAT;
  return encodeModel({
    irVersion: 10, opsetImports: [{ domain: '', version: 21 }],
    graph: {
      name: 'fuzz', inputs: [{ name: 'x', elemType: F, shape: ['N', 4] }], outputs: [{ name: 'y', elemType: F, shape: [null] }],
      initializers: [
        { name: 'f16', dataType: DataType.FLOAT16, dims: [3], typed: { field: 'int32_data', values: [0x3c00, 0x7c00, 0x0001] } },
        { name: 'i64', dataType: DataType.INT64, dims: [2], typed: { field: 'int64_data', values: [-1, 2 ** 40] } },
        { name: 'u64', dataType: DataType.UINT64, dims: [1], typed: { field: 'uint64_data', values: [3n] } },
        { name: 'd', dataType: DataType.DOUBLE, dims: [2], typed: { field: 'double_data', values: [1.5, -2] } },
        { name: 'fl', dataType: F, dims: [2, 2], typed: { field: 'float_data', values: [1, 2, 3, 4], packed: false } },
        { name: 'i4', dataType: DataType.INT4, dims: [5], raw: new Uint8Array([0x12, 0x34, 0x0f]) },
        { name: 'e8', dataType: DataType.FLOAT8E4M3FN, dims: [2], raw: new Uint8Array([0x38, 0x7f]) },
        { name: 's', dataType: DataType.STRING, dims: [2], typed: { field: 'string_data', values: ['a', 'bc'] } },
        { name: 'ext', dataType: F, dims: [4], external: { location: 'w.bin', offset: 0, length: 16 } },
      ],
      sparseInitializers: [{ values: { name: 'sp', dataType: F, dims: [2], values: [1, 2] }, indices: { dataType: DataType.INT64, dims: [2], values: [0, 3] }, dims: [2, 2] }],
      nodes: [
        { opType: 'Constant', inputs: [], outputs: ['c'], attributes: { value_floats: { type: 'floats', value: [1, 2] } } },
        { opType: 'If', inputs: ['x'], outputs: ['y'], attributes: {
          then_branch: { type: 'graph', value: { name: 't', inputs: [], outputs: [{ name: 'y', elemType: F }], initializers: [{ name: 'iw', dataType: F, dims: [1], values: [7] }], nodes: [{ opType: 'Identity', inputs: ['iw'], outputs: ['y'] }] } },
          else_branch: { type: 'graph', value: { name: 'e', inputs: [], outputs: [{ name: 'y', elemType: F }], initializers: [], nodes: [{ opType: 'Constant', inputs: [], outputs: ['y'], attributes: { value: { type: 'tensor', value: { dataType: F, dims: [1], values: [3] } } } }] } },
        } },
      ],
    },
    functions: [{ name: 'fn', domain: 'd', inputs: ['a'], outputs: ['b'], opsetImports: [{ domain: '', version: 21 }], nodes: [{ opType: 'Relu', inputs: ['a'], outputs: ['b'] }] }],
  });
}

/** Offsets of every LEN length prefix, found by walking messages as deep as they parse. */
function lengthFields(bytes: Uint8Array): number[] {
  const r = new WireReader(bytesSource(bytes));
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number): boolean => {
    r.pos = start;
    const found: [number, number, number][] = [];
    try {
      while (r.pos < end) {
        const tag = r.tag(end);
        if ((tag & 7) === 2) {
          const at = r.pos;
          const e = r.lengthEnd(end, 'f');
          found.push([at, r.pos, e]);
          r.pos = e;
        } else r.skip(tag & 7, end, tag >>> 3);
      }
    } catch {
      return false;
    }
    for (const [at, s, e] of found) {
      out.push(at);
      if (depth < 12 && e - s > 1) walk(s, e, depth + 1);
    }
    return true;
  };
  walk(0, bytes.length, 0);
  return out;
}

function mutate(seed: Uint8Array, lengths: number[], rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const kind = pick(6);
  const b = seed.slice();
  switch (kind) {
    case 0: return b.subarray(0, pick(b.length));
    case 1: {
      const flips = 1 + pick(8);
      for (let i = 0; i < flips; i++) { const at = pick(b.length); b[at] = (b[at] as number) ^ (1 << pick(8)); }
      return b;
    }
    case 2: {
      // Varint tampering: an overlong / huge / continuation-only varint at a random position.
      const at = pick(b.length);
      const forms = [new Array(11).fill(0xff), [...new Array(9).fill(0xff), 0x01], varint(2n ** 63n), varint(-1n), [0x80], varint(2 ** 32)];
      const v = forms[pick(forms.length)] as number[];
      return Uint8Array.from([...b.subarray(0, at), ...v, ...b.subarray(at + 1)]);
    }
    case 3: {
      if (lengths.length === 0) return b;
      const at = lengths[pick(lengths.length)] as number;
      const r = new WireReader(bytesSource(seed));
      r.pos = at;
      r.varintParts(seed.length);
      const old = r.hi * 4294967296 + r.lo;
      const candidates = [old + 1, Math.max(0, old - 1), old * 2, 0, 2 ** 32, 2 ** 40, old + 1 + pick(1000), Math.max(0, old - 1 - pick(100))];
      const nv = candidates[pick(candidates.length)] as number;
      return Uint8Array.from([...seed.subarray(0, at), ...varint(nv), ...seed.subarray(r.pos)]);
    }
    case 4: {
      const at = pick(b.length);
      return Uint8Array.from([...b.subarray(0, at), ...Array.from({ length: 1 + pick(4) }, () => pick(256)), ...b.subarray(at)]);
    }
    default: {
      const at = pick(b.length);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + pick(8))]);
    }
  }
}

const TYPED = (e: unknown) => e instanceof OnnxFormatError || e instanceof TensorDecodeError || e instanceof ExternalDataError;

test(`mutation fuzz: ${CASES} mutants parse or fail with typed errors only`, { timeout: 300_000 }, () => {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'models');
  const seeds = [syntheticSeed(), ...['qdq_int8_per_tensor.onnx', 'mlp_gemm_transB.onnx', 'mlp_fp16.onnx', 'ext_valid_control/model.onnx'].map((f) => new Uint8Array(readFileSync(join(dir, f))))];
  for (const s of seeds) parseModel(bytesSource(s)); // the seeds themselves are valid
  const lengths = seeds.map(lengthFields);
  assert.ok(lengths.every((l) => l.length > 5), 'length-field discovery found the LEN fields');
  const rnd = prng(20261203);
  const tally = { parsed: 0, rejected: 0, tensorsDecoded: 0, tensorsRefused: 0 };
  const failures: string[] = [];
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const which = i % seeds.length;
    const mutant = mutate(seeds[which] as Uint8Array, lengths[which] as number[], rnd);
    const t0 = performance.now();
    try {
      const src = bytesSource(mutant);
      const model = parseModel(src);
      tally.parsed++;
      const ctx = { model: src, external: NO_EXTERNAL_DATA };
      for (const w of collectWeights(model)) {
        try {
          const refusal = w.sparse ? checkSparseTensor(w.sparse, ctx) : checkTensorData(w.tensor, ctx);
          if (refusal !== undefined || !dataTypeInfo(w.tensor.dataType)?.numeric) { tally.tensorsRefused++; continue; }
          computeTensorStats(tensorValueChunks(w.tensor, ctx));
          tally.tensorsDecoded++;
        } catch (e) {
          if (!TYPED(e)) failures.push(`case ${i} (seed ${which}) tensor ${w.name.slice(0, 40)}: ${(e as Error).name}: ${(e as Error).message}`);
          else tally.tensorsRefused++;
        }
      }
    } catch (e) {
      if (e instanceof OnnxFormatError) tally.rejected++;
      else failures.push(`case ${i} (seed ${which}): ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  console.log(`# fuzz: ${CASES} mutants, ${tally.parsed} parsed, ${tally.rejected} rejected, ${tally.tensorsDecoded} tensors decoded, ${tally.tensorsRefused} refused; slowest case ${slowest.toFixed(1)} ms`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(tally.parsed > 100 && tally.rejected > 100, 'the mutations produce both parseable and broken files');
});
