import type { OnnxModel, TensorRef } from '../onnx/model';
import type { TensorDataContext } from '../onnx/tensorValues';
import type { LayerReport } from '../report/reportModel';
import type { FineTuneOptions, FineTuneReport, StageReport } from './fineTuneModel';
import { buildPlan, REFERENCES } from './freezePlan';
import { buildGraphLookup } from './graphLookup';
import type { LayerFacts, TransposedEqual } from './headDetection';
import { detectHeads, primaryHead } from './headDetection';
import { modalityHint } from './modalityHint';
import { recommendNewHead } from './newHead';
import { pytorchSnippet } from './pytorchSnippet';
import { groupStages } from './stages';
import { transposedEqualFrom } from './tiedWeights';
import { assessTransferability } from './transferability';

export interface FineTuneContext {
  /** The analysis' per-layer results (verdicts, fans); without them every verdict is `unknown`. */
  readonly layers?: readonly LayerReport[];
  /** Value check for tied LM-head weights; defaults to reading the values through `data` when given. */
  readonly transposedEqual?: TransposedEqual;
  /** Where tensor bytes come from, to verify tied weights on their values. */
  readonly data?: TensorDataContext;
  /** Model path as the user gave it, for the `onnx-init cut` command line. */
  readonly modelPath?: string;
}

/**
 * The fine-tune suggestion for a model: heads and the cut, backbone stages, what the weights say
 * about transfer, the freeze plan for every situation (the selected one from `options`), the new
 * head's init, a modality hint, a PyTorch snippet and the backbone-export command.
 */
export function suggestFineTune(model: OnnxModel, options: FineTuneOptions = {}, context: FineTuneContext = {}): FineTuneReport {
  const selected = { datasetSize: options.datasetSize ?? 'small', domain: options.domain ?? 'similar' } as const;
  const lookup = buildGraphLookup(model.graph);
  const tensors = tensorMap(model);
  const facts = context.layers ? layerFacts(context.layers) : undefined;
  const transposedEqual = context.transposedEqual ?? (context.data ? transposedEqualFrom(context.data) : undefined);
  const heads = detectHeads({ lookup, tensors, ...(facts ? { facts } : {}), ...(transposedEqual ? { transposedEqual } : {}) });
  const head = primaryHead(heads);
  const hint = modalityHint(lookup, tensors, options.inputChannels);
  const proposesCut = head !== undefined && (head.kind === 'classifier' || head.kind === 'lm_head');
  const grouping = head ? groupStages({ lookup, tensors, cutTensor: head.cut.tensor, ...(facts ? { facts } : {}) }) : { stages: [] as StageReport[], modulePathCoverage: 0, paramNamesCoverage: 0 };
  const stages = grouping.stages;
  const transferability = assessTransferability(stages, head);
  const transferable = transferability.backbone !== 'fresh';
  // Folded BatchNorm (EVAL exports) is gone from the graph, but the PyTorch module still has it.
  const hasBatchNorm = model.graph.nodes.some((n) => n.opType === 'BatchNormalization') || stages.some((s) => s.verdicts.bnFolded > 0);
  const plan = proposesCut ? buildPlan(stages, selected, transferability.untrainedStages, hasBatchNorm) : [];
  const chosen = plan.find((p) => p.selected);
  const newHead = head && proposesCut ? recommendNewHead(head, options.classes) : null;

  const stageByName = new Map(stages.map((s) => [s.name, s]));
  const frozen = transferable && chosen ? chosen.frozenStages.map((n) => stageByName.get(n)!).filter(Boolean) : [];
  const byPrefix = frozen.length > 0 && grouping.modulePathCoverage >= 0.8 && frozen.every((s) => s.prefixes.length > 0);
  const freeze = byPrefix ? frozen.flatMap((s) => s.prefixes) : frozen.flatMap((s) => s.initializers);

  const snippet = head && chosen
    ? pytorchSnippet({ head, newHead, stages, plan: chosen, transferable, modulePathCoverage: grouping.modulePathCoverage })
    : { snippet: null, reason: head ? `no fine-tune cut is proposed for a ${head.kind} output` : 'no head found: no graph output comes from a weight layer through simple ops' };

  return {
    kind: head?.kind ?? 'other',
    cut: proposesCut ? { tensor: head.cut.tensor, node: head.cut.node } : null,
    replace: proposesCut ? head.initializers : [],
    freeze,
    freezeBy: byPrefix ? 'prefix' : 'name',
    stages,
    transferable,
    transferability,
    newHead,
    plan,
    selected,
    rationale: rationale(head, proposesCut, stages, transferability.message, chosen?.reasoning),
    heads,
    modalityHint: hint,
    snippet: snippet.snippet,
    snippetReason: snippet.reason,
    exportCommand: proposesCut ? `onnx-init cut ${shellQuote(context.modelPath ?? 'MODEL.onnx')} --at ${shellQuote(head.cut.tensor)} --out backbone.onnx` : null,
    references: REFERENCES,
  };
}

function rationale(head: ReturnType<typeof primaryHead>, proposesCut: boolean, stages: readonly StageReport[], transfer: string, planReasoning: string | undefined): string[] {
  if (!head) return ['No head found: no graph output is produced by a Gemm / MatMul / Conv through simple ops (activations, reshapes, pooling), so no cut is proposed.'];
  const out: string[] = [];
  if (!proposesCut) {
    out.push(`This is a ${head.kind === 'generator' ? 'generator' : 'non-classifier'} output: ${head.reason}. There is no classifier to replace, so no fine-tune cut is proposed; the output layer ${head.node} is listed under heads for reference.`);
    return out;
  }
  out.push(`Head: ${head.node} (${head.op}) — ${head.reason}.`);
  out.push(`Cut at ${head.cut.tensor}${head.cut.node ? ` (output of ${head.cut.node})` : ''}: the input of the head, so everything up to it is the feature extractor${head.cut.features != null ? ` (${head.cut.features} features)` : ''}.`);
  if (head.cut.floatTensor) out.push(`QDQ model: the float features before the activation quantization are ${head.cut.floatTensor}.`);
  if (stages.length) out.push(`Backbone: ${stages.length} groups (${stages.map((s) => `${s.name} = ${s.label}`).join('; ')}).`);
  out.push(transfer);
  if (planReasoning) out.push(planReasoning);
  out.push('Always train the new head first with the backbone frozen (LP), then unfreeze (FT): LP-FT beats full fine-tuning in and out of distribution (Kumar et al. 2022).');
  return out;
}

/** Every weight-like tensor by the name nodes use: initializers and Constant outputs. */
function tensorMap(model: OnnxModel): Map<string, TensorRef> {
  const m = new Map<string, TensorRef>();
  for (const t of model.graph.initializers) m.set(t.name, t);
  for (const s of model.graph.sparseInitializers) m.set(s.name, { ...s.values, name: s.name, dims: s.dims, elementCount: s.dims.reduce((a, b) => a * b, 1) });
  for (const n of model.graph.nodes) {
    if (n.opType !== 'Constant' || n.outputs[0] === undefined) continue;
    const a = n.attributes.find((x) => x.name === 'value');
    if (a && a.value.type === 'tensor') m.set(n.outputs[0], { ...a.value.value, name: n.outputs[0] });
  }
  return m;
}

function layerFacts(layers: readonly LayerReport[]): LayerFacts {
  const byKey = new Map<string, LayerReport>();
  for (const l of layers) byKey.set(`${l.node}\u0000${l.weight}`, l);
  return {
    verdictOf: (node, weight) => byKey.get(`${node}\u0000${weight}`)?.verdict ?? 'unknown',
    judgeOf: (node, weight) => {
      const l = byKey.get(`${node}\u0000${weight}`);
      if (!l) return { trained: undefined, elements: 0 };
      const trained = l.verdict === 'trained' ? true : l.verdict === 'fresh' ? false : l.verdict === 'bn-folded' && l.looksTrained !== null ? l.looksTrained : undefined;
      return { trained, elements: l.stats.finiteCount };
    },
    fansOf: (node, weight) => {
      const l = byKey.get(`${node}\u0000${weight}`);
      return l ? { fanIn: l.fanIn, fanOut: l.fanOut } : undefined;
    },
  };
}

/** POSIX shell single-quoting, so a tensor name from the model cannot inject into the command. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
