// Fine-tune cut over the shared corpus: the detected head and cut against every oracle's `head`
// section, "nothing to transfer" for the fresh models, and backbone exports run in
// onnxruntime-node against the full model's intermediate tensor on seeded random input.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { corpusPath, corpusTestOptions, HAVE_CORPUS, REPO_ROOT } from '../support/corpus';
import { parseModel } from '../../src/core/onnx/parseModel';
import { openFileSource } from '../../src/node/fileSource';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { suggestFineTune } from '../../src/core/finetune/suggestFineTune';
import { formatFineTuneText } from '../../src/core/finetune/formatFineTune';
import { exportBackbone } from '../../src/node/exportBackbone';
import { planInputs, generateFeeds } from '../../src/core/probe/probeInputs';
import { DEFAULT_PROBE_OPTIONS } from '../../src/core/probe/probeTypes';
import { seededRandom } from '../../src/core/probe/seededRandom';
import type { OnnxModel } from '../../src/core/onnx/model';
import type { FineTuneReport } from '../../src/core/finetune/fineTuneModel';
import { analyzeForFineTune } from './finetuneSupport';
import { analyzeModel } from '../../src/core/analyze';
import { buildSandbox, hostileCases } from './hostileSandbox';

interface OracleHead {
  kind: 'classifier' | 'lm_head' | 'generator_output';
  initializers: string[];
  cut: { tensor: string; producer_node: string; float_tensor_before_qdq?: string };
  tied_initializers?: string[];
}
interface Oracle { name: string; head: OracleHead; training: { trained: boolean } }

const names = HAVE_CORPUS ? readdirSync(corpusPath('torch')).filter((f) => f.endsWith('.oracle.json')).map((f) => f.replace('.oracle.json', '')).sort() : [];
const oracle = (n: string): Oracle => JSON.parse(readFileSync(corpusPath('torch', `${n}.oracle.json`), 'utf8')) as Oracle;
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const summary: Record<string, unknown> = {};

function load(n: string): { model: OnnxModel; close(): void; ctx: { model: ReturnType<typeof openFileSource>; external: ReturnType<typeof createExternalDataHost> } } {
  const path = corpusPath('torch', `${n}.onnx`);
  const source = openFileSource(path);
  const host = createExternalDataHost(path);
  return { model: parseModel(source), ctx: { model: source, external: host }, close: () => { host.close(); source.close(); } };
}

const reports = new Map<string, FineTuneReport>();
function report(n: string): FineTuneReport {
  let r = reports.get(n);
  if (!r) {
    const m = load(n);
    try {
      r = suggestFineTune(m.model, { classes: 10 }, { layers: analyzeForFineTune(corpusPath('torch', `${n}.onnx`)), modelPath: `${n}.onnx`, data: m.ctx });
    } finally { m.close(); }
    reports.set(n, r);
  }
  return r;
}

/** The cut matches the oracle's when it is the same tensor or one of its Identity/Flatten/QDQ equivalents. */
function cutMatches(r: FineTuneReport, o: OracleHead): boolean {
  const h = r.heads[0];
  if (!h) return false;
  return h.cut.tensor === o.cut.tensor || h.cut.equivalents.includes(o.cut.tensor);
}

describe('fine-tune head and cut vs the corpus oracles', corpusTestOptions, () => {
  const rows: { model: string; kind: string; exact: boolean; cut: string; oracleCut: string }[] = [];
  after(() => {
    if (!HAVE_CORPUS) return;
    const classifiers = rows.filter((r) => r.kind === 'classifier');
    const exact = classifiers.filter((r) => r.exact).length;
    console.log(`# cut accuracy: ${exact}/${classifiers.length} classifiers exact; all heads ${rows.filter((r) => r.exact).length}/${rows.length}`);
    summary.cutAccuracy = { classifiersExact: exact, classifiers: classifiers.length, allExact: rows.filter((r) => r.exact).length, all: rows.length, rows };
  });
  for (const n of names) {
    test(n, () => {
      const o = oracle(n);
      const r = report(n);
      const expectedKind = o.head.kind === 'generator_output' ? 'generator' : o.head.kind;
      const primary = r.heads[0]!;
      assert.equal(r.heads.length, 1, 'one head per corpus model');
      assert.equal(primary.kind, expectedKind);
      assert.deepEqual(primary.initializers, o.head.initializers, 'head initializers');
      assert.ok(cutMatches(r, o.head), `cut ${primary.cut.tensor} vs oracle ${o.head.cut.tensor}`);
      assert.equal(primary.cut.node, o.head.cut.producer_node);
      if (o.head.cut.float_tensor_before_qdq) assert.equal(primary.cut.floatTensor, o.head.cut.float_tensor_before_qdq);
      if (o.head.tied_initializers) {
        assert.deepEqual(primary.tiedTo, o.head.tied_initializers);
        assert.match(primary.reason, /tied to \(same values, transposed\)/, 'the tie is verified on the values');
      }
      if (expectedKind === 'generator') {
        assert.equal(r.cut, null, 'no cut invented for a generator');
        assert.deepEqual(r.replace, []);
        assert.match(r.rationale[0]!, /generator/);
        assert.equal(r.exportCommand, null);
      } else {
        assert.deepEqual(r.replace, o.head.initializers);
        assert.equal(r.cut!.tensor, primary.cut.tensor);
      }
      rows.push({ model: n, kind: expectedKind, exact: primary.cut.tensor === o.head.cut.tensor && primary.initializers.join() === o.head.initializers.join(), cut: primary.cut.tensor, oracleCut: o.head.cut.tensor });
    });
  }
});

describe('fine-tune transferability from the weights', corpusTestOptions, () => {
  for (const n of names) {
    test(n, () => {
      const o = oracle(n);
      const r = report(n);
      if (o.training.trained) {
        assert.equal(r.transferable, true, r.transferability.message);
        assert.ok(['trained', 'mixed'].includes(r.transferability.backbone), r.transferability.backbone);
        assert.ok(r.snippet !== null || r.snippetReason !== null);
      } else {
        // Every freshly initialized model (folded BatchNorm included) says there is nothing to transfer.
        assert.equal(r.transferability.backbone, 'fresh', `${n} is fresh: ${r.transferability.message}`);
        assert.equal(r.transferable, false);
        assert.match(r.transferability.message, /^Nothing to transfer/);
        assert.match(formatFineTuneText(r), /Nothing to transfer/);
        assert.deepEqual(r.freeze, [], 'nothing is frozen when there is nothing to transfer');
      }
    });
  }
  test('the fresh digits models say nothing to transfer, their trained twins are worth transferring', () => {
    for (const n of ['digits_cnn_fresh', 'digits_mlp_fresh']) assert.equal(report(n).transferable, false, n);
    for (const n of ['digits_cnn_trained', 'digits_mlp_trained']) assert.equal(report(n).transferable, true, n);
  });
});

const tmp = HAVE_CORPUS ? mkdtempSync(join(tmpdir(), 'onnx-init-cut-')) : '';
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

async function runOrt(model: string | Uint8Array, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array | Float64Array | Uint16Array> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const out = await session.run(feeds, [output]);
    return out[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function toFloat(data: Float32Array | Float64Array | Uint16Array, fp16: boolean): Float64Array {
  if (!fp16) return Float64Array.from(data as Float32Array);
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const h = (data as Uint16Array)[i]!;
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
    out[i] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** Protobuf bytes of `field` (length-delimited) holding `body`. */
function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  const head: number[] = [(field << 3) | 2];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) { head.push(n); break; }
    head.push((n & 0x7f) | 0x80);
  }
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** ModelProto bytes + `graph { output { name } }`: protobuf merges it into the model's graph (ModelProto.graph = 7, GraphProto.output = 12, ValueInfoProto.name = 1). */
function withExtraOutput(model: Uint8Array, name: string): Uint8Array {
  const extra = lengthDelimited(7, lengthDelimited(12, lengthDelimited(1, new TextEncoder().encode(name))));
  const out = new Uint8Array(model.length + extra.length);
  out.set(model);
  out.set(extra, model.length);
  return out;
}

/** The external-data files a model refers to (plain names beside it in the corpus). */
function externalFiles(model: OnnxModel): string[] {
  const files = new Set<string>();
  for (const t of model.graph.initializers) if (t.storage.kind === 'external') files.add(t.storage.location);
  return [...files];
}

describe('backbone export runs in onnxruntime-node and matches the full model at the cut', corpusTestOptions, () => {
  const results: Record<string, unknown> = {};
  after(() => { summary.backboneEquivalence = results; });
  for (const n of names) {
    test(n, async () => {
      const r = report(n);
      const cut = r.heads[0]!.cut.tensor;
      const m = load(n);
      let full: string;
      let feeds: Record<string, ort.Tensor>;
      let fp16: boolean;
      try {
        // The reference: the original file's own bytes, with the cut tensor as one more graph output
        // appended as a protobuf field (merged into the graph by any protobuf reader), next to a copy
        // of its external data: nothing of it goes through our writer.
        full = join(tmp, n, 'full.onnx');
        mkdirSync(join(tmp, n), { recursive: true });
        writeFileSync(full, withExtraOutput(readFileSync(corpusPath('torch', `${n}.onnx`)), cut));
        for (const f of externalFiles(m.model)) copyFileSync(corpusPath('torch', f), join(tmp, n, f));
        const { plans } = planInputs(m.model, { ...DEFAULT_PROBE_OPTIONS, batchSize: 2, imageSize: 32, sequenceLength: 12 });
        const rng = seededRandom(1234);
        feeds = Object.fromEntries(generateFeeds(plans, rng).map((f) => [f.name, new ort.Tensor(f.type, f.data as Float32Array, [...f.shape])]));
        fp16 = m.model.graph.inputs.some((i) => i.type?.kind === 'tensor' && i.type.elemType === 10);
      } finally { m.close(); }
      const out = join(tmp, n, 'backbone.onnx');
      const res = exportBackbone(corpusPath('torch', `${n}.onnx`), cut, out);
      const expected = toFloat(await runOrt(full, feeds, cut), fp16);
      const actual = toFloat(await runOrt(out, feeds, cut), fp16);
      assert.equal(actual.length, expected.length);
      let maxAbs = 0;
      let nan = 0;
      for (let i = 0; i < actual.length; i++) {
        // The NaN weights of cnn_defects_nan_dead propagate: NaN must stay NaN at the same place.
        if (Number.isNaN(expected[i]!) && Number.isNaN(actual[i]!)) { nan++; continue; }
        const d = Math.abs(actual[i]! - expected[i]!);
        if (!(d <= 1e-5 * Math.max(1, Math.abs(expected[i]!)))) assert.fail(`${n}: element ${i} differs: ${actual[i]} vs ${expected[i]}`);
        maxAbs = Math.max(maxAbs, d);
      }
      if (n === 'mlp_external_data') {
        assert.equal(res.externalData.mode, 'copied', 'external data copied beside the output, not re-referenced across folders');
      }
      results[n] = { cut, elements: actual.length, nanElements: nan, maxAbsDiff: maxAbs, nodes: res.nodes, initializers: res.initializers, bytes: res.bytes, externalData: res.externalData.mode };
    });
  }
});

describe('fine-tune artifacts', corpusTestOptions, () => {
  after(() => {
    if (!HAVE_CORPUS) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'finetune-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  });
  for (const n of ['tv_mobilenet_v2', 'resnet_cifar_zero_gamma', 'digits_cnn_trained']) {
    test(`full text suggestion for ${n} (through analyzeModel, as the CLI prints it)`, () => {
      const options = { classes: 10, inputChannels: 1 } as const;
      const m = load(n);
      let ft: FineTuneReport;
      try {
        ft = analyzeModel({ source: m.ctx.model, external: m.ctx.external, path: `${n}.onnx` }, { fineTune: options }).fineTune!;
        assert.deepEqual(ft, suggestFineTune(m.model, options, { layers: analyzeForFineTune(corpusPath('torch', `${n}.onnx`)), modelPath: `${n}.onnx`, data: m.ctx }));
      } finally { m.close(); }
      const text = formatFineTuneText(ft);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `finetune-${n}.txt`), text);
      assert.match(text, n === 'digits_cnn_trained' ? /Cut at \/Relu_2_output_0/ : /Cut at \/Flatten_output_0/);
      assert.match(text, /New head\n {2}Linear weight \[10, \d+\]/);
      if (n === 'digits_cnn_trained') assert.doesNotMatch(text, /Input channels/, 'a 1-channel model with 1-channel data needs no hint');
      else assert.match(text, /expects 3 input channels and your data has 1/);
      if (n === 'digits_cnn_trained') assert.match(text, /PyTorch snippet:/);
      else assert.match(text, /Nothing to transfer/);
    });
  }
});

describe('backbone export on the hostile corpus: a clear refusal or a valid file, never a write outside the output', corpusTestOptions, () => {
  const cases = HAVE_CORPUS ? hostileCases().filter((c) => c.category === 'external-data') : [];
  for (const c of cases) {
    test(c.id, () => {
      const sb = buildSandbox(c);
      const outDir = mkdtempSync(join(tmpdir(), 'onnx-init-hostile-cut-'));
      try {
        const before = readdirSync(sb.modelDir).sort();
        let model: OnnxModel;
        try {
          model = parseModel(openFileSource(sb.modelPath));
        } catch (e) {
          assert.ok(e instanceof Error && /OnnxFormatError|LimitExceededError/.test(e.name), `parse: ${String(e)}`);
          return;
        }
        const output = model.graph.outputs[0]?.name;
        if (output === undefined) return;
        const out = join(outDir, 'bb.onnx');
        try {
          const r = exportBackbone(sb.modelPath, output, out);
          if (r.externalData.mode === 'copied') {
            const copied = readFileSync(r.externalData.file);
            assert.ok(!copied.includes(sb.canary), 'canary bytes never copied');
          }
          parseModel(openFileSource(out));
        } catch (e) {
          assert.ok(e instanceof Error && /ExternalDataError|CutError|OnnxFormatError|TensorDecodeError/.test(e.name), `${c.id}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          assert.ok(!existsSync(out), 'nothing written on refusal');
        }
        assert.deepEqual(readdirSync(sb.modelDir).sort(), before, 'nothing written next to the model');
        assert.deepEqual(readdirSync(outDir).filter((f) => f.endsWith('.tmp')), []);
      } finally {
        sb.dispose();
        rmSync(outDir, { recursive: true, force: true });
      }
    });
  }
});
