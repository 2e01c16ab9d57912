// The analysis against the ground truth of every torch corpus model (*.oracle.json): fans,
// statistics, injected defects, deliberate patterns, clean-model false alarms, fingerprints and
// fresh/trained verdicts. Prints a summary and writes test-artifacts/oracle-summary.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/core/analyze';
import type { Finding, LayerReport, Report, TensorStatsReport } from '../../src/core/report/reportModel';
import { openFileSource } from '../../src/node/fileSource';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { corpusPath, corpusTestOptions, HAVE_CORPUS, REPO_ROOT } from '../support/corpus';

interface OracleStats { count: number; finite_count: number; mean: number | null; std: number | null; min: number | null; max: number | null; excess_kurtosis: number | null; zero_count: number; nan_count: number; inf_count: number }
interface OracleInit { name: string; role: string; init_label?: string; fan: { torch: { fan_in: number; fan_out: number } | null; onnx_op: { fan_in: number; fan_out: number; rule: string } | null }; stats: OracleStats; stats_dequantized?: OracleStats; defects: { type: string; intentional: boolean }[]; init?: { family?: string } }
interface Oracle { name: string; training: { trained: boolean }; defects_summary: unknown[]; initializers: Record<string, OracleInit> }

const DEFECT_CODE: Record<string, string> = {
  all_zero: 'weight-all-zero', constant: 'weight-constant', std_too_large: 'variance-too-high', std_too_small: 'variance-too-low',
  nan: 'weight-non-finite', inf: 'weight-non-finite', dead_output_channels: 'dead-units',
};
const loud = (f: Finding): boolean => f.severity === 'error' || f.severity === 'warning';
const about = (f: Finding, name: string): boolean => f.tensor === name || (Array.isArray(f.data?.tensors) && (f.data?.tensors as string[]).includes(name));

function rel(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function statsMismatch(ours: TensorStatsReport, o: OracleStats): string[] {
  const bad: string[] = [];
  if (ours.count !== o.count) bad.push(`count ${ours.count} vs ${o.count}`);
  if (ours.finiteCount !== o.finite_count) bad.push(`finiteCount ${ours.finiteCount} vs ${o.finite_count}`);
  if (ours.zeroCount !== o.zero_count) bad.push(`zeroCount ${ours.zeroCount} vs ${o.zero_count}`);
  if (ours.nanCount !== o.nan_count || ours.infCount !== o.inf_count) bad.push('nan/inf counts');
  for (const [k, ok] of [['mean', 'mean'], ['std', 'std'], ['min', 'min'], ['max', 'max'], ['excessKurtosis', 'excess_kurtosis']] as const) {
    const a = ours[k];
    const b = o[ok];
    // Near-zero means carry absolute float64 rounding noise; compare them on the std scale.
    const tolAbs = k === 'mean' || k === 'excessKurtosis' ? 1e-12 * Math.max(1, Math.abs(o.std ?? 0)) : 0;
    if (rel(a, b) > 1e-9 && !(a !== null && b !== null && Math.abs(a - b) <= tolAbs)) bad.push(`${k} ${a} vs ${b}`);
  }
  return bad;
}

const summary = {
  models: 0, tensorsChecked: 0, statsChecked: 0, statsMismatches: [] as string[],
  rolesChecked: 0, roleMatches: 0, roleMismatches: [] as string[],
  fanChecked: 0, fanMatches: 0, fanMismatches: [] as string[], torchFanChecked: 0, torchFanMatches: 0,
  defects: 0, defectsFound: 0, defectMisses: [] as string[],
  intentional: 0, intentionalReported: 0, intentionalLoud: [] as string[],
  cleanModels: 0, falseErrorsOnClean: 0, falseWarningsOnClean: 0, falseAlarmDetails: [] as string[],
  fingerprintChecked: 0, fingerprintMatches: 0, fingerprintWeightsChecked: 0, fingerprintWeightsMatches: 0, fingerprintMisses: [] as string[],
  verdicts: {} as Record<string, { expected: string; got: string }>,
  timesMs: {} as Record<string, number>,
};

const files = HAVE_CORPUS ? readdirSync(corpusPath('torch')).filter((f) => f.endsWith('.oracle.json')).sort() : [];

function analyze(path: string): Report {
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try { return analyzeModel({ source, external, path }); } finally { external.close(); source.close(); }
}

function labelsOf(r: Report, name: string): string[] {
  const l = r.layers.find((x) => x.weight === name);
  if (l !== undefined) return [l.matchedScheme?.label ?? '', ...(((l as unknown as { labelEquivalents?: string[] }).labelEquivalents) ?? [])];
  const t = r.tensors.find((x) => x.name === name) as unknown as { label?: string | null; labelEquivalents?: string[] } | undefined;
  return [t?.label ?? '', ...(t?.labelEquivalents ?? [])];
}

for (const file of files) {
  test(`oracle: ${file.replace('.oracle.json', '')}`, corpusTestOptions, () => {
    const oracle = JSON.parse(readFileSync(corpusPath('torch', file), 'utf8')) as Oracle;
    const t0 = performance.now();
    const report = analyze(corpusPath('torch', `${oracle.name}.onnx`));
    summary.timesMs[oracle.name] = Math.round(performance.now() - t0);
    summary.models++;
    const problems: string[] = [];
    const clean = oracle.defects_summary.length === 0;
    if (clean) summary.cleanModels++;
    const layerOf = (name: string): LayerReport | undefined => report.layers.find((l) => l.weight === name);
    for (const [name, o] of Object.entries(oracle.initializers)) {
      summary.tensorsChecked++;
      const layer = layerOf(name);
      const tensor = report.tensors.find((t) => t.name === name);
      assert.ok(layer !== undefined || tensor !== undefined, `${oracle.name}: initializer ${name} is missing from the report`);
      // Roles
      summary.rolesChecked++;
      const ourRole = layer?.role ?? tensor?.role;
      if (ourRole === o.role) summary.roleMatches++;
      else summary.roleMismatches.push(`${oracle.name}/${name}: role ${ourRole} vs ${o.role}`);
      // Statistics
      const stored = (layer as unknown as { storedStats?: TensorStatsReport | null } | undefined)?.storedStats ?? (tensor as unknown as { storedStats?: TensorStatsReport | null } | undefined)?.storedStats ?? null;
      const ours = stored !== null && o.stats_dequantized !== undefined ? stored : (layer?.stats ?? tensor?.stats ?? null);
      if (ours !== null) {
        summary.statsChecked++;
        const bad = statsMismatch(ours, o.stats);
        if (bad.length) summary.statsMismatches.push(`${oracle.name}/${name}: ${bad.join(', ')}`);
        if (o.stats_dequantized !== undefined && layer !== undefined) {
          summary.statsChecked++;
          const bad2 = statsMismatch(layer.stats, o.stats_dequantized);
          if (bad2.length) summary.statsMismatches.push(`${oracle.name}/${name} (dequantized): ${bad2.join(', ')}`);
        }
      } else problems.push(`${name}: no stats`);
      // Fans
      if (o.fan.onnx_op !== null) {
        summary.fanChecked++;
        if (layer?.fanIn === o.fan.onnx_op.fan_in && layer.fanOut === o.fan.onnx_op.fan_out) summary.fanMatches++;
        else summary.fanMismatches.push(`${oracle.name}/${name}: (${layer?.fanIn}, ${layer?.fanOut}) vs onnx_op (${o.fan.onnx_op.fan_in}, ${o.fan.onnx_op.fan_out})`);
        if (o.fan.torch !== null && layer !== undefined) {
          summary.torchFanChecked++;
          const pt = layer.fanAlternatives?.pytorch ?? { fanIn: layer.fanIn, fanOut: layer.fanOut };
          if (pt.fanIn === o.fan.torch.fan_in && pt.fanOut === o.fan.torch.fan_out) summary.torchFanMatches++;
          else summary.fanMismatches.push(`${oracle.name}/${name}: torch (${pt.fanIn}, ${pt.fanOut}) vs (${o.fan.torch.fan_in}, ${o.fan.torch.fan_out})`);
        }
      }
      // Defects
      const mine = report.findings.filter((f) => about(f, name));
      for (const d of o.defects) {
        if (d.intentional) {
          summary.intentional++;
          if (mine.some((f) => f.intentional === true)) summary.intentionalReported++;
          else summary.defectMisses.push(`${oracle.name}/${name}: intentional ${d.type} not reported as intentional`);
          if (mine.some(loud)) summary.intentionalLoud.push(`${oracle.name}/${name}: ${mine.filter(loud).map((f) => f.code).join(',')}`);
        } else {
          summary.defects++;
          const code = DEFECT_CODE[d.type];
          if (mine.some((f) => f.code === code && loud(f))) summary.defectsFound++;
          else summary.defectMisses.push(`${oracle.name}/${name}: ${d.type} (${code}) not found; got ${mine.map((f) => `${f.code}:${f.severity}`).join(',') || 'nothing'}`);
        }
      }
      // Fingerprints of freshly initialized tensors without injected defects
      const label = o.init_label;
      if (!oracle.training.trained && label !== undefined && o.defects.every((d) => d.intentional)) {
        summary.fingerprintChecked++;
        const isWeight = ['weight', 'embedding', 'rnn_input_weight', 'rnn_recurrent_weight', 'parameter'].includes(o.role) && (o.stats.count ?? 0) > 1;
        if (isWeight) summary.fingerprintWeightsChecked++;
        const got = labelsOf(report, name);
        if (got.includes(label)) { summary.fingerprintMatches++; if (isWeight) summary.fingerprintWeightsMatches++; }
        else summary.fingerprintMisses.push(`${oracle.name}/${name}: expected ${label}, got ${got.filter(Boolean).join(' | ') || 'none'}`);
      }
    }
    if (clean) {
      for (const f of report.findings.filter(loud)) {
        if (f.severity === 'error') summary.falseErrorsOnClean++;
        else summary.falseWarningsOnClean++;
        summary.falseAlarmDetails.push(`${oracle.name}: ${f.severity} ${f.code} ${f.tensor ?? ''}`);
      }
    }
    summary.verdicts[oracle.name] = { expected: oracle.training.trained ? 'trained' : 'fresh', got: report.model.verdict };
    assert.deepEqual(problems, []);
    assert.ok(JSON.stringify(report).length > 0);
  });
}

test('oracle summary', corpusTestOptions, () => {
  const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${a}/${b} (${((100 * a) / b).toFixed(1)}%)`);
  const largest = Object.keys(summary.timesMs).map((name) => ({ name, bytes: statSync(corpusPath('torch', `${name}.onnx`)).size })).sort((a, b) => b.bytes - a.bytes)[0] ?? { name: '', bytes: 0 };
  const digits = ['digits_cnn', 'digits_mlp'].map((m) => ({ m, fresh: summary.verdicts[`${m}_fresh`]?.got, trained: summary.verdicts[`${m}_trained`]?.got }));
  const lines = [
    `models ${summary.models}, tensors checked ${summary.tensorsChecked}, stats compared ${summary.statsChecked} (mismatches ${summary.statsMismatches.length})`,
    `roles ${pct(summary.roleMatches, summary.rolesChecked)}`,
    `fan matches (onnx_op) ${pct(summary.fanMatches, summary.fanChecked)}, torch fan matches ${pct(summary.torchFanMatches, summary.torchFanChecked)}`,
    `defect recall ${pct(summary.defectsFound, summary.defects)}; intentional reported ${pct(summary.intentionalReported, summary.intentional)}, intentional flagged loud ${summary.intentionalLoud.length}`,
    `clean models ${summary.cleanModels}: false errors ${summary.falseErrorsOnClean}, false warnings ${summary.falseWarningsOnClean}`,
    `fingerprint accuracy ${pct(summary.fingerprintMatches, summary.fingerprintChecked)} (weight tensors ${pct(summary.fingerprintWeightsMatches, summary.fingerprintWeightsChecked)})`,
    `verdicts: ${Object.entries(summary.verdicts).filter(([, v]) => v.expected !== v.got).map(([k, v]) => `${k} expected ${v.expected} got ${v.got}`).join('; ') || 'all as expected'}`,
    `largest model ${largest.name} (${(largest.bytes / 1e6).toFixed(1)} MB): analyzed in ${summary.timesMs[largest.name] ?? '?'} ms (cold, inside the test run)`,
    `digits: ${digits.map((d) => `${d.m} fresh→${d.fresh}, trained→${d.trained}`).join('; ')}`,
  ];
  console.log(`# oracle summary\n# ${lines.join('\n# ')}`);
  for (const m of [...summary.statsMismatches, ...summary.fanMismatches, ...summary.roleMismatches, ...summary.defectMisses, ...summary.intentionalLoud, ...summary.falseAlarmDetails, ...summary.fingerprintMisses].slice(0, 200)) console.log(`#   ${m}`);
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'test-artifacts', 'oracle-summary.json'), JSON.stringify({ ...summary, lines }, null, 2));
  assert.equal(summary.statsMismatches.length, 0, 'statistics agree with numpy within 1e-9');
  assert.equal(summary.fanMatches, summary.fanChecked, 'fans equal fan.onnx_op');
  assert.equal(summary.torchFanMatches, summary.torchFanChecked, 'PyTorch fans equal fan.torch');
  assert.equal(summary.defectsFound, summary.defects, 'every injected defect is found');
  assert.equal(summary.intentionalLoud.length, 0, 'deliberate patterns are never warnings/errors');
  assert.equal(summary.intentionalReported, summary.intentional, 'deliberate patterns are reported as intentional');
  assert.equal(summary.falseErrorsOnClean, 0, 'no errors on clean models');
  for (const d of digits) { assert.equal(d.fresh, 'fresh'); assert.equal(d.trained, 'trained'); }
  assert.equal(summary.roleMatches, summary.rolesChecked, 'roles equal the oracle roles');
  assert.equal(summary.falseWarningsOnClean, 0, 'no warnings on clean models');
  // The misses are the 16–32-value synthetic BN statistics of cnn_bn_unfused (shape not identifiable).
  assert.ok(summary.fingerprintMatches >= 0.95 * summary.fingerprintChecked, 'fingerprint accuracy ≥ 95%');
  assert.equal(summary.fingerprintWeightsMatches, summary.fingerprintWeightsChecked, 'every fresh weight tensor fingerprinted');
  assert.ok(Object.values(summary.verdicts).every((v) => v.expected === v.got), 'model verdicts fresh/trained as in the oracle');
});

test('attention projections are found by structure (gpt2_tiny, transformer_encoder_xavier)', corpusTestOptions, () => {
  const detail = (m: string): Record<string, string | null> => Object.fromEntries(analyze(corpusPath('torch', `${m}.onnx`)).layers.map((l) => [l.node, (l as unknown as { roleDetail: string | null }).roleDetail]));
  const g = detail('gpt2_tiny');
  for (let b = 0; b < 4; b++) {
    assert.equal(g[`/h.${b}/c_attn/MatMul`], 'attention_qkv');
    assert.equal(g[`/h.${b}/c_proj/MatMul`], 'attention_out');
    assert.equal(g[`/h.${b}/c_fc/MatMul`], null);
  }
  const t = detail('transformer_encoder_xavier');
  assert.equal(t['/encoder/layers.0/self_attn/MatMul'], 'attention_qkv');
  assert.equal(t['/encoder/layers.0/self_attn/Gemm'], 'attention_out');
  assert.equal(t['/encoder/layers.0/linear1/MatMul'], null);
});
