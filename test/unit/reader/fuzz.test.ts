// Mutation fuzzing of the reader: truncations, bit flips, varint tampering, length-field
// tampering, byte insertion / deletion, and (external data) tampered locations, offsets and
// lengths. Seeds: committed fixtures + a synthetic model that exercises every storage path, a
// small fixed selection of the shared corpus when it is present (CORPUS_SEEDS), and the
// external-data fixture copied into a temp folder and read through the real Node host.
// Every mutant must parse or throw OnnxFormatError; decoding every tensor of a parsed mutant may
// only throw the reader's typed errors; each case (parse + every value read, + the full analysis
// where noted) takes < 5 s; with the Node host nothing outside the model folder is opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { corpusPath, corpusTestOptions, REPO_ROOT } from '../../support/corpus';
import {
  analyzeModel, bytesSource, checkSparseTensor, checkTensorData, collectWeights, computeTensorStats, dataTypeInfo, DataType,
  ExternalDataError, NO_EXTERNAL_DATA, OnnxFormatError, parseModel, TensorDecodeError, tensorValueChunks,
  type ByteSource, type ExternalDataHost,
} from '../../../src/core/index';
import { WireReader } from '../../../src/core/protobuf/wireReader';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { openFileSource } from '../../../src/node/fileSource';
import { varint } from './pb';
import { withOpenSpy } from '../../support/openSpy';

/** Mutants per test: repo seeds, corpus seeds, external data through the Node host. */
const REPO_CASES = 5000;
const CORPUS_CASES = 6000;
const EXTERNAL_CASES = 1500;
/** Every case (parse + reading every value, + analysis where run) must finish within this. */
const MAX_CASE_MS = 5000;
/** Corpus seeds larger than this are not used (CI time). */
const MAX_SEED_BYTES = 300 * 1024;

/**
 * A fixed selection of small corpus models (each <= 300 KiB): PyTorch exports (external data,
 * BN-folded CNN, Conv1d, fp32 CNN, NaN / dead-unit defects), real third-party exports (wonnx
 * MNIST, an openWakeWord head), and ONNX backend tests (a zoo graph with ConstantOfShape weights,
 * Loop and If subgraphs, a function-expanded graph, BatchNorm, int4 dequantization).
 */
const CORPUS_SEEDS = [
  'torch/mlp_external_data.onnx',
  'torch/cnn_bn_fused.onnx',
  'torch/conv1d_audio.onnx',
  'torch/digits_cnn_trained.onnx',
  'torch/mlp_defects.onnx',
  'third-party/github-webonnx-wonnx/opt-mnist.onnx',
  'third-party/npm-openwakeword-js-0.1.27/hello_deepa_old.onnx',
  'onnx-node-tests/light/light_inception_v1.onnx',
  'onnx-node-tests/node/test_loop13_seq/model.onnx',
  'onnx-node-tests/node/test_if/model.onnx',
  'onnx-node-tests/node/test_affine_grid_2d_expanded/model.onnx',
  'onnx-node-tests/pytorch-converted/test_BatchNorm2d_eval/model.onnx',
  'onnx-node-tests/node/test_dequantizelinear_uint4/model.onnx',
];

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

/** `b` with `remove` bytes at `at` replaced by `insert` (no spread of big arrays). */
function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const end = Math.min(b.length, at + remove);
  const out = new Uint8Array(at + insert.length + (b.length - end));
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(end), at + insert.length);
  return out;
}

function mutate(seed: Uint8Array, lengths: readonly number[], rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  switch (pick(6)) {
    case 0: return seed.subarray(0, pick(seed.length));
    case 1: {
      const b = seed.slice();
      const flips = 1 + pick(8);
      for (let i = 0; i < flips; i++) { const at = pick(b.length); b[at] = (b[at] as number) ^ (1 << pick(8)); }
      return b;
    }
    case 2: {
      // Varint tampering: an overlong / huge / continuation-only varint at a random position.
      const forms = [new Array(11).fill(0xff), [...new Array(9).fill(0xff), 0x01], varint(2n ** 63n), varint(-1n), [0x80], varint(2 ** 32)];
      return splice(seed, pick(seed.length), 1, forms[pick(forms.length)] as number[]);
    }
    case 3: {
      if (lengths.length === 0) return seed;
      const at = lengths[pick(lengths.length)] as number;
      const r = new WireReader(bytesSource(seed));
      r.pos = at;
      r.varintParts(seed.length);
      const old = r.hi * 4294967296 + r.lo;
      const candidates = [old + 1, Math.max(0, old - 1), old * 2, 0, 2 ** 32, 2 ** 40, old + 1 + pick(1000), Math.max(0, old - 1 - pick(100))];
      return splice(seed, at, r.pos - at, varint(candidates[pick(candidates.length)] as number));
    }
    case 4: return splice(seed, pick(seed.length), 0, Array.from({ length: 1 + pick(4) }, () => pick(256)));
    default: return splice(seed, pick(seed.length), 1 + pick(8), []);
  }
}

const TYPED = (e: unknown) => e instanceof OnnxFormatError || e instanceof TensorDecodeError || e instanceof ExternalDataError;

interface Tally {
  cases: number;
  parsed: number;
  rejected: number;
  tensorsDecoded: number;
  tensorsRefused: number;
  analyzed: number;
  slowestMs: number;
  slowest: string;
  readonly failures: string[];
}

const newTally = (): Tally => ({ cases: 0, parsed: 0, rejected: 0, tensorsDecoded: 0, tensorsRefused: 0, analyzed: 0, slowestMs: 0, slowest: '', failures: [] });

/**
 * One case: parse the mutant, read every value of every tensor, and (when `analyze`) run the
 * whole analysis; records unexpected errors and the time, and fails a case over MAX_CASE_MS.
 */
function runCase(label: string, src: ByteSource, external: ExternalDataHost, analyze: boolean, tally: Tally): void {
  tally.cases++;
  const t0 = performance.now();
  try {
    const model = parseModel(src);
    tally.parsed++;
    const ctx = { model: src, external };
    for (const w of collectWeights(model)) {
      try {
        const refusal = w.sparse ? checkSparseTensor(w.sparse, ctx) : checkTensorData(w.tensor, ctx);
        if (refusal !== undefined || !dataTypeInfo(w.tensor.dataType)?.numeric) { tally.tensorsRefused++; continue; }
        computeTensorStats(tensorValueChunks(w.tensor, ctx));
        tally.tensorsDecoded++;
      } catch (e) {
        if (!TYPED(e)) tally.failures.push(`${label} tensor ${w.name.slice(0, 40)}: ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}`);
        else tally.tensorsRefused++;
      }
    }
    if (analyze) {
      const report = analyzeModel({ source: src, external, path: 'model.onnx' });
      assert.ok(Array.isArray(report.findings));
      tally.analyzed++;
    }
  } catch (e) {
    if (e instanceof OnnxFormatError) tally.rejected++;
    else tally.failures.push(`${label}: ${(e as Error)?.name}: ${(e as Error)?.message?.slice(0, 300)}`);
  }
  const ms = performance.now() - t0;
  if (ms > tally.slowestMs) { tally.slowestMs = ms; tally.slowest = label; }
  if (ms > MAX_CASE_MS) tally.failures.push(`${label}: took ${ms.toFixed(0)} ms > ${MAX_CASE_MS} ms`);
}

function summary(what: string, t: Tally, ms: number): string {
  return `# fuzz ${what}: ${t.cases} mutants in ${(ms / 1000).toFixed(1)} s, ${t.parsed} parsed (${t.analyzed} analyzed), ${t.rejected} rejected, ${t.tensorsDecoded} tensors decoded, ${t.tensorsRefused} refused; slowest case ${t.slowestMs.toFixed(1)} ms (${t.slowest})`;
}

/** Paths (resolved) that are not inside `folder`. */
function outside(paths: readonly string[], folder: string): string[] {
  const base = realpathSync(folder) + sep;
  return paths.filter((p) => {
    let real: string;
    try { real = realpathSync(p); } catch { real = p; }
    return !real.startsWith(base);
  });
}

test(`mutation fuzz: ${REPO_CASES} mutants of repo seeds parse or fail with typed errors only, each < ${MAX_CASE_MS / 1000} s`, { timeout: 300_000 }, () => {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'models');
  const seeds = [syntheticSeed(), ...['qdq_int8_per_tensor.onnx', 'mlp_gemm_transB.onnx', 'mlp_fp16.onnx', 'ext_valid_control/model.onnx'].map((f) => new Uint8Array(readFileSync(join(dir, f))))];
  for (const s of seeds) parseModel(bytesSource(s)); // the seeds themselves are valid
  const lengths = seeds.map(lengthFields);
  assert.ok(lengths.every((l) => l.length > 5), 'length-field discovery found the LEN fields');
  const rnd = prng(20261203);
  const tally = newTally();
  const t0 = performance.now();
  for (let i = 0; i < REPO_CASES; i++) {
    const which = i % seeds.length;
    const mutant = mutate(seeds[which] as Uint8Array, lengths[which] as number[], rnd);
    // Every 5th mutant (when it parses) also goes through the whole analysis.
    runCase(`case ${i} (seed ${which})`, bytesSource(mutant), NO_EXTERNAL_DATA, i % 5 === 0, tally);
  }
  console.log(summary('repo seeds', tally, performance.now() - t0));
  assert.deepEqual(tally.failures.slice(0, 20), []);
  assert.ok(tally.parsed > 100 && tally.rejected > 100, 'the mutations produce both parseable and broken files');
});

test(`mutation fuzz: ${CORPUS_CASES} mutants of ${CORPUS_SEEDS.length} small corpus models, Node host on the seed's folder`, { ...corpusTestOptions, timeout: 300_000 }, () => {
  const seeds = CORPUS_SEEDS.map((rel) => ({ rel, path: corpusPath(...rel.split('/')) })).filter((s) => {
    if (!existsSync(s.path)) { console.log(`# fuzz: corpus seed ${s.rel} not found, not used`); return false; }
    if (statSync(s.path).size > MAX_SEED_BYTES) { console.log(`# fuzz: corpus seed ${s.rel} is over ${MAX_SEED_BYTES} bytes, not used`); return false; }
    return true;
  }).map((s) => ({ ...s, bytes: new Uint8Array(readFileSync(s.path)) }));
  assert.ok(seeds.length >= 8, `expected at least 8 corpus seeds, found ${seeds.length}`);
  for (const s of seeds) parseModel(bytesSource(s.bytes));
  const lengths = seeds.map((s) => lengthFields(s.bytes));
  const rnd = prng(7_2026_12);
  const tally = newTally();
  const escaped: string[] = [];
  const t0 = performance.now();
  withOpenSpy((opened, reset) => {
    for (let i = 0; i < CORPUS_CASES; i++) {
      const which = i % seeds.length;
      const seed = seeds[which] as (typeof seeds)[number];
      const mutant = mutate(seed.bytes, lengths[which] as number[], rnd);
      // The mutant stays in memory; external data resolves against the seed's own (read-only) folder.
      const host = createExternalDataHost(seed.path);
      reset();
      try {
        runCase(`case ${i} (${seed.rel})`, bytesSource(mutant), host, i % 5 === 0, tally);
      } finally {
        host.close();
      }
      for (const p of outside(opened(), dirname(seed.path))) escaped.push(`case ${i} (${seed.rel}) opened ${p}`);
    }
  });
  console.log(`${summary(`corpus seeds (${seeds.map((s) => s.rel).join(', ')})`, tally, performance.now() - t0)}`);
  assert.deepEqual(tally.failures.slice(0, 20), []);
  assert.deepEqual(escaped.slice(0, 20), [], 'nothing outside the seed folder is opened');
  assert.ok(tally.parsed > 100 && tally.rejected > 100, 'the mutations produce both parseable and broken files');
});

/** 11- and 9-byte stand-ins for the fixture's locations "weights.bin" and "sub/w.bin". */
const LOCATIONS_11 = ['weights.bin', 'WEIGHTS.BIN', '../o/canary', '/etc/passwd', 'sub/../../x', 'sub\\..\\..\\x', 'C:/o/canary', 'file:///etc', 'link_out/cb', 'lnk_wts.bin', 'hard_lk.bin', 'model.onnx\0', 'sub/w.bin/.'];
const LOCATIONS_9 = ['sub/w.bin', '../o/cnry', 'lnk/w.bin', '/dev/zero', 'sub/../..', 'weights.b', 'sub//w.bi', 'model.onn', './sub/w.b'];

/** Offsets of `needle` in `hay`. */
function findAll(hay: Uint8Array, needle: string): number[] {
  const n = new TextEncoder().encode(needle);
  const out: number[] = [];
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let k = 0; k < n.length; k++) if (hay[i + k] !== n[k]) continue outer;
    out.push(i);
  }
  return out;
}

/** Tampers one external_data location, offset or length in place (same length: the protobuf stays valid). */
function tamperExternal(seed: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const b = seed.slice();
  const enc = new TextEncoder();
  const spots = [
    ...findAll(seed, 'weights.bin').map((at) => ({ at, choices: LOCATIONS_11 })),
    ...findAll(seed, 'sub/w.bin').map((at) => ({ at, choices: LOCATIONS_9 })),
  ];
  // StringStringEntryProto value after the key "offset" / "length": 0x12, length, digits.
  const numbers: { at: number; len: number }[] = [];
  for (const key of ['offset', 'length']) {
    for (const at of findAll(seed, key)) {
      const v = at + key.length;
      if (seed[v] === 0x12 && (seed[v + 1] as number) < 32) numbers.push({ at: v + 2, len: seed[v + 1] as number });
    }
  }
  if (rnd() < 0.5 && spots.length > 0) {
    const s = spots[pick(spots.length)] as (typeof spots)[number];
    b.set(enc.encode(s.choices[pick(s.choices.length)] as string), s.at);
  } else if (numbers.length > 0) {
    const s = numbers[pick(numbers.length)] as (typeof numbers)[number];
    const alphabet = '0123456789999-+ x';
    for (let k = 0; k < s.len; k++) if (rnd() < 0.7) b[s.at + k] = alphabet.charCodeAt(pick(alphabet.length));
  }
  return b;
}

test(`mutation fuzz: ${EXTERNAL_CASES} mutants of the external-data fixture through the Node host open nothing outside the model folder`, { timeout: 300_000 }, (t) => {
  const root = mkdtempSync(join(tmpdir(), 'onnx-init-fuzz-ext-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const modelDir = join(root, 'm');
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'models', 'ext_valid_control'), modelDir, { recursive: true });
  // Files outside the model folder that tampered locations aim at, and links leading to them.
  const canary = new Uint8Array(8192).fill(0x43);
  mkdirSync(join(root, 'o'));
  for (const f of ['canary', 'cnry', 'cb', 'w.bin']) writeFileSync(join(root, 'o', f), canary);
  symlinkSync('../o', join(modelDir, 'link_out'), 'dir');
  symlinkSync('../o', join(modelDir, 'lnk'), 'dir');
  symlinkSync('weights.bin', join(modelDir, 'lnk_wts.bin'));
  linkSync(join(root, 'o', 'canary'), join(modelDir, 'hard_lk.bin'));
  assert.ok(LOCATIONS_11.every((l) => l.length === 11) && LOCATIONS_9.every((l) => l.length === 9), 'stand-ins keep the protobuf lengths');
  const modelPath = join(modelDir, 'model.onnx');
  const seed = new Uint8Array(readFileSync(modelPath));
  const lengths = lengthFields(seed);
  const rnd = prng(4_096_064);
  const tally = newTally();
  const escaped: string[] = [];
  let hostOpened = 0;
  const t0 = performance.now();
  withOpenSpy((opened, reset) => {
    for (let i = 0; i < EXTERNAL_CASES; i++) {
      // Half targeted (locations, offsets, lengths), half generic; some both.
      const r = rnd();
      const targeted = r < 0.5 ? tamperExternal(seed, rnd) : seed;
      const mutant = r < 0.35 || r >= 0.5 ? mutate(targeted, targeted === seed ? lengths : lengthFields(targeted), rnd) : targeted;
      writeFileSync(modelPath, mutant);
      reset();
      let source: ReturnType<typeof openFileSource> | undefined;
      const host = createExternalDataHost(modelPath);
      try {
        source = openFileSource(modelPath);
        // Every mutant of this tiny model also goes through the whole analysis (audit included).
        runCase(`case ${i}`, source, host, true, tally);
      } finally {
        hostOpened += host.openedPaths.length;
        for (const p of host.openedPaths) if (outside([p], modelDir).length > 0) escaped.push(`case ${i}: the host opened ${p}`);
        host.close();
        source?.close();
      }
      if (!opened().includes(modelPath)) escaped.push(`case ${i}: the openSync spy did not see the model open (spy broken)`);
      for (const p of outside(opened(), modelDir)) escaped.push(`case ${i} opened ${p}`);
    }
  });
  console.log(`${summary('external data (Node host)', tally, performance.now() - t0)}; ${hostOpened} data files opened by the host`);
  assert.deepEqual(tally.failures.slice(0, 20), []);
  assert.deepEqual(escaped.slice(0, 20), [], 'nothing outside the model folder is opened');
  assert.ok(hostOpened > 100, 'the mutants still read external data');
  assert.ok(tally.parsed > 100 && tally.rejected > 100, 'the mutations produce both parseable and broken files');
});
