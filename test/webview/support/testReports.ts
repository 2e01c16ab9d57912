// The reports the render tests feed the webview: real analysis output (analyzeModel) of the
// committed fixture models, of shared-corpus models when the corpus is present, and of a model
// written here whose every name is a hostile payload.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NO_EXTERNAL_DATA, analyzeModel, bytesSource } from '../../../src/core/index';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ModelSpec } from '../../../src/core/onnx/writer/modelSpec';
import type { Report } from '../../../src/core/report/reportModel';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { openFileSource } from '../../../src/node/fileSource';
import { HAVE_CORPUS, corpusPath } from '../../support/corpus';
import { buildMlp } from '../../support/modelBuilders';
import { REPO } from './buildWebview';

export const FIXTURE_MODELS = join(REPO, 'test', 'fixtures', 'models');

/** The engine's report of a model file (with the CLI's / extension's engine options when given). */
export function analyzeFile(path: string, options?: Parameters<typeof analyzeModel>[1]): Report {
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try {
    return analyzeModel({ source, external, path }, options);
  } finally {
    external.close();
    source.close();
  }
}

/** The committed fixture models (fresh clone) plus the corpus's torch models when present. */
export function testModelPaths(): string[] {
  const fixtures = readdirSync(FIXTURE_MODELS).filter((f) => f.endsWith('.onnx')).map((f) => join(FIXTURE_MODELS, f));
  const corpus = HAVE_CORPUS ? readdirSync(corpusPath('torch')).filter((f) => f.endsWith('.onnx')).map((f) => corpusPath('torch', f)) : [];
  return [...fixtures, ...corpus];
}

/**
 * The main report of the render tests: torchvision MobileNetV2 (53 layers, fine-tune stages) from
 * the corpus, or the committed CNN-with-defects fixture in a fresh clone.
 */
export function mainTestModel(): string {
  const mobilenet = HAVE_CORPUS ? corpusPath('torch', 'tv_mobilenet_v2.onnx') : '';
  return mobilenet && existsSync(mobilenet) ? mobilenet : join(FIXTURE_MODELS, 'cnn_defects_nan_dead.onnx');
}

export async function loadTestReport(): Promise<Report> {
  return analyzeFile(mainTestModel());
}

/** Payloads like the hostile corpus's (html_injection_names, unicode_rtl_names, nul_in_names, long_names_1mb), aimed at a flag. */
export const HOSTILE_NAMES = {
  html: [
    '<script>window.__pwned=1</script>',
    '"><img src=x onerror="window.__pwned=2;alert(1)">',
    "'><svg onload=window.__pwned=3>",
    '<iframe src="javascript:window.top.__pwned=4"></iframe>',
    '</div><a href="javascript:alert(5)">x</a><!--',
    '{{constructor.constructor("window.__pwned=6")()}}',
  ],
  bidi: ['weight\u202egnp.exe', 'a\u2066isolated\u2069b', 'nul\u0000inside', 'zero\u200bwidth'],
  long: 'L'.repeat(1 << 20),
};

/**
 * A real model whose node, weight, graph and producer names are the payloads, written with our
 * ONNX writer and analyzed by the real engine: the report carries them exactly as a hostile file would.
 */
export function hostileModelSpec(): ModelSpec {
  const names = [...HOSTILE_NAMES.html, ...HOSTILE_NAMES.bidi, HOSTILE_NAMES.long];
  const sizes = Array.from({ length: names.length + 1 }, (_, i) => (i === names.length ? 4 : 8));
  const { spec } = buildMlp({ sizes, seed: 7 });
  const rename = new Map<string, string>();
  spec.graph.initializers.forEach((t) => {
    const m = /^fc(\d+)\.(weight|bias)$/.exec(t.name ?? '');
    if (m && t.name) rename.set(t.name, `${names[Number(m[1])]!}.${m[2]}`);
  });
  let layer = 0;
  return {
    ...spec,
    producerName: HOSTILE_NAMES.html[1],
    producerVersion: HOSTILE_NAMES.bidi[0],
    graph: {
      ...spec.graph,
      name: HOSTILE_NAMES.html[0]!,
      initializers: spec.graph.initializers.map((t) => ({ ...t, name: (t.name && rename.get(t.name)) ?? t.name })),
      nodes: spec.graph.nodes.map((n) => ({
        ...n,
        name: n.opType === 'Gemm' ? names[layer++]! : n.name,
        inputs: n.inputs.map((i) => rename.get(i) ?? i),
      })),
    },
  };
}

export async function hostileReport(): Promise<Report> {
  return analyzeModel({ source: bytesSource(encodeModel(hostileModelSpec())), external: NO_EXTERNAL_DATA, path: `/models/${HOSTILE_NAMES.html[2]}.onnx` });
}

/** The hostile corpus cases whose names are payloads, analyzed for real (when the corpus is present). */
export function hostileCorpusReports(): { id: string; report: Report }[] {
  if (!HAVE_CORPUS) return [];
  return ['html_injection_names', 'long_names_1mb', 'unicode_rtl_names', 'nul_in_names'].map((id) => ({ id, report: analyzeFile(corpusPath('hostile', id, 'model.onnx')) }));
}
