// The core-API analysis floor used by the bench until/besides `onnx-init analyze`: parse the
// model, collect every weight, and take float64 statistics of every value (no sampling).
// Usage (bundled by bench/run.ts): node statsPass.mjs MODEL [OUT.json]
// Prints a one-line JSON summary; OUT.json gets per-tensor {name, count, mean, std, min, max, zeroFraction}.
import { writeFileSync } from 'node:fs';
import { checkTensorData, collectWeights, dataTypeInfo, parseModel, StatsAccumulator, tensorValueChunks } from '../src/core/index';
import { createExternalDataHost } from '../src/node/externalDataHost';
import { openFileSource } from '../src/node/fileSource';

const [modelPath, outPath] = process.argv.slice(2);
if (modelPath === undefined) throw new Error('usage: statsPass MODEL [OUT.json]');
const t0 = performance.now();
const source = openFileSource(modelPath);
const ctx = { model: source, external: createExternalDataHost(modelPath) };
const model = parseModel(source);
const tParse = performance.now();
const rows: { name: string; count: number; mean: number; std: number; min: number; max: number; zeroFraction: number }[] = [];
let elements = 0;
for (const w of collectWeights(model)) {
  if (checkTensorData(w.tensor, ctx) !== undefined || dataTypeInfo(w.tensor.dataType)?.numeric !== true) continue;
  const acc = new StatsAccumulator();
  for (const chunk of tensorValueChunks(w.tensor, ctx)) acc.add(chunk);
  const s = acc.result();
  elements += s.count;
  rows.push({ name: w.name, count: s.count, mean: s.mean, std: s.std, min: s.min, max: s.max, zeroFraction: s.count ? s.zeroCount / s.count : 0 });
}
const tEnd = performance.now();
if (outPath) writeFileSync(outPath, JSON.stringify(rows));
process.stdout.write(JSON.stringify({ tensors: rows.length, elements, parseMs: tParse - t0, statsMs: tEnd - tParse }) + '\n');
