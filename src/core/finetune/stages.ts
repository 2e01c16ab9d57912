import type { Node, TensorRef } from '../onnx/model';
import { DataType } from '../onnx/model';
import type { StageReport } from './fineTuneModel';
import type { GraphLookup } from './graphLookup';
import { intsAttr } from './graphLookup';
import type { LayerFacts } from './headDetection';
import { blockUnit, modulePathFromNodeName, modulePathFromParamName } from './modulePaths';

/** Ops whose constant input is a learned layer weight (what a stage is counted in). */
const WEIGHT_LAYER_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'LSTM', 'GRU', 'RNN', 'Gather', 'Attention', 'Einsum']);
const NORM_OPS = new Set(['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization']);
const STRIDED_OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);
/** Above this many equal blocks without a resolution change, blocks are chunked (12 stages at most). */
const MAX_STAGES_PER_GROUP = 12;
const PARAM_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE, DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4]);

export interface StageInput {
  readonly lookup: GraphLookup;
  readonly tensors: ReadonlyMap<string, TensorRef>;
  /** The cut tensor: the backbone is everything it depends on. */
  readonly cutTensor: string;
  readonly facts?: LayerFacts;
}

/** The stage grouping plus per-layer module info other modules reuse (snippet, freeze lists). */
export interface StageGrouping {
  readonly stages: StageReport[];
  /** Share of backbone weight layers whose module path could be recovered (names look like PyTorch). */
  readonly modulePathCoverage: number;
  /** Whether the initializer names themselves are PyTorch parameter paths (not folded `onnx::` names). */
  readonly paramNamesCoverage: number;
}

interface Unit {
  key: string;
  /** Keys of lone norm units merged into this one (`bn1` into `conv1`). */
  extraKeys: string[];
  group: string;
  nodes: Node[];
  layers: { node: Node; weight: string }[];
  strided: boolean;
  pendingStride: boolean;
  hasModulePath: boolean;
}

/**
 * Groups the backbone (the nodes the cut tensor depends on) into a stem and stages: units are
 * module blocks (`layer3.1`, `features.7`, `h.2`); a stage is a run of units of one container,
 * split where the resolution drops (a stride > 1); blocks of a container without any resolution
 * change (transformer layers) are one stage each. Leading single-layer units form the stem.
 */
export function groupStages(input: StageInput): StageGrouping {
  const { lookup } = input;
  const backbone = ancestors(lookup, input.cutTensor);
  const units: Unit[] = [];
  let current: Unit | undefined;
  let pendingStride = false;
  let layerCount = 0, withPath = 0, withParamName = 0;
  for (const node of lookup.nodes) {
    if (!backbone.has(node) || node.opType === 'Constant') continue;
    const weight = layerWeight(lookup, input.tensors, node);
    const path = modulePathFromNodeName(node.name) ?? (weight ? modulePathFromParamName(weight) : null);
    if (weight) {
      layerCount++;
      if (path) withPath++;
      if (modulePathFromParamName(weight)) withParamName++;
    }
    const strided = STRIDED_OPS.has(node.opType) && (intsAttr(node, 'strides') ?? []).some((s) => s > 1);
    const key = path ? blockUnit(path) : undefined;
    if (key && (!current || current.key !== key.unit)) {
      current = { key: key.unit, extraKeys: [], group: key.group, nodes: [], layers: [], strided: false, pendingStride, hasModulePath: true };
      pendingStride = false;
      units.push(current);
    } else if (!current || (!key && weight && !current.hasModulePath && current.layers.length > 0)) {
      // No module names at all: every weight layer is its own unit, named after the node.
      current = { key: lookup.label(node), extraKeys: [], group: lookup.label(node), nodes: [], layers: [], strided: false, pendingStride, hasModulePath: false };
      pendingStride = false;
      units.push(current);
    }
    current.nodes.push(node);
    if (weight) current.layers.push({ node, weight });
    if (strided) {
      if (current.layers.length > 0 || weight) current.strided = true;
      else pendingStride = true;
    }
  }
  // Units without weights (pools, activations with their own scope) pass their stride on.
  const weighted: Unit[] = [];
  let carry = false;
  for (const u of units) {
    if (u.layers.length === 0) {
      if (u.strided || u.pendingStride) carry = true;
      const prev = weighted[weighted.length - 1];
      if (prev) {
        prev.nodes.push(...u.nodes);
        // A decomposed final LayerNorm (`ln_f` Mul/Add with its gamma/beta) keeps its prefix.
        if (u.hasModulePath && u.nodes.some((n) => hasParamInput(input, n))) prev.extraKeys.push(u.key);
      }
      continue;
    }
    if (carry) u.pendingStride = true;
    carry = false;
    const prev = weighted[weighted.length - 1];
    // A lone norm layer belongs with the layer it normalizes (resnet `bn1` after `conv1`).
    if (prev && u.layers.every((l) => NORM_OPS.has(l.node.opType)) && !u.pendingStride) {
      prev.nodes.push(...u.nodes);
      prev.layers.push(...u.layers);
      if (u.hasModulePath) prev.extraKeys.push(u.key, ...u.extraKeys);
      continue;
    }
    weighted.push(u);
  }
  const stages = flagUntrained(toStages(weighted, input));
  return {
    stages,
    modulePathCoverage: layerCount ? withPath / layerCount : 0,
    paramNamesCoverage: layerCount ? withParamName / layerCount : 0,
  };
}

/** A stage counts as untrained when it mostly matches init with a real share of the judged weights. */
const MIN_UNTRAINED_ELEMENTS = 4096;
const MIN_UNTRAINED_SHARE = 0.1;

/**
 * Marks stages whose judged weights mostly look fresh. A tiny first conv (a few hundred values)
 * still matches its init after training and is no evidence either way, so a stage needs 4096
 * fresh-looking values or a tenth of the backbone's judged values to be called untrained.
 */
function flagUntrained(stages: StageReport[]): StageReport[] {
  const judged = stages.reduce((a, s) => a + (s.verdicts.freshElements ?? 0) + (s.verdicts.trainedElements ?? 0), 0);
  return stages.map((s) => {
    const fresh = s.verdicts.freshElements ?? 0;
    const looksUntrained = fresh > (s.verdicts.trainedElements ?? 0) && (fresh >= MIN_UNTRAINED_ELEMENTS || fresh >= MIN_UNTRAINED_SHARE * judged);
    return looksUntrained ? { ...s, looksUntrained } : s;
  });
}

function isBlock(u: Unit): boolean {
  return u.layers.filter((l) => !NORM_OPS.has(l.node.opType)).length >= 2;
}

function toStages(units: readonly Unit[], input: StageInput): StageReport[] {
  const firstBlock = units.findIndex(isBlock);
  const runs: { units: Unit[]; boundary: string }[] = [];
  let k = 0;
  if (firstBlock > 0) {
    runs.push({ units: units.slice(0, firstBlock), boundary: 'stem: layers before the first multi-layer block' });
    k = firstBlock;
  }
  // Several containers of blocks (ResNet layer1..4, ShuffleNet stage2..4): each container is a
  // stage. One container holding every block (MobileNet `features`, ViT `blocks`, GPT `h`): split
  // where the resolution drops, or one stage per block when it never does (transformers).
  const blockGroups = new Set(units.filter(isBlock).map((u) => u.group));
  while (k < units.length) {
    const group = units[k]!.group;
    let end = k;
    while (end + 1 < units.length && units[end + 1]!.group === group) end++;
    const members = units.slice(k, end + 1);
    const anyStride = members.slice(1).some((u) => u.strided || u.pendingStride);
    const resolutionNote = units[k]!.strided || units[k]!.pendingStride ? ', resolution drops (stride > 1)' : '';
    if (blockGroups.size > 1 || members.length === 1) {
      runs.push({ units: members, boundary: `${k === 0 ? 'first layers' : `module group ${group}`}${resolutionNote}` });
    } else if (!anyStride) {
      const per = Math.ceil(members.length / MAX_STAGES_PER_GROUP);
      for (let i = 0; i < members.length; i += per) {
        runs.push({ units: members.slice(i, i + per), boundary: `${per > 1 ? `${per} blocks` : isBlock(members[i]!) ? 'one block' : 'one layer'} of ${group} (no resolution change: one stage per block${per > 1 ? ' group' : ''})` });
      }
    } else {
      let run: Unit[] = [];
      let why = `${k === 0 ? 'first layers' : `module group ${group}`}${resolutionNote}`;
      for (const u of members) {
        if (run.length && (u.strided || u.pendingStride)) {
          runs.push({ units: run, boundary: why });
          run = [];
          why = `resolution drops (stride > 1) at ${u.key}`;
        }
        run.push(u);
      }
      if (run.length) runs.push({ units: run, boundary: why });
    }
    k = end + 1;
  }
  const groupSizes = new Map<string, number>();
  for (const k of units.flatMap((u) => [u.key, ...u.extraKeys])) {
    const { group } = blockUnit(k);
    groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
  }
  const seenInit = new Set<string>();
  let stageNo = 0;
  return runs.map((run, index) => {
    const isStem = index === 0 && firstBlock > 0;
    const name = isStem ? 'stem' : `stage ${++stageNo}`;
    return describeStage(index, name, run.units, run.boundary, input, seenInit, groupSizes);
  });
}

function describeStage(index: number, name: string, units: readonly Unit[], boundary: string, input: StageInput, seen: Set<string>, groupSizes: ReadonlyMap<string, number>): StageReport {
  const { lookup, tensors, facts } = input;
  const initializers: string[] = [];
  let parameters = 0;
  for (const u of units) {
    for (const node of u.nodes) {
      for (const i of node.inputs) {
        if (i === '' || !lookup.isConstant(i)) continue;
        const root = lookup.weightRoot(i);
        const t = root !== undefined ? tensors.get(root) : undefined;
        if (!t || !PARAM_TYPES.has(t.dataType) || seen.has(t.name)) continue;
        seen.add(t.name);
        initializers.push(t.name);
        parameters += t.elementCount;
      }
    }
  }
  const verdicts = { fresh: 0, trained: 0, bnFolded: 0, unknown: 0, freshElements: 0, trainedElements: 0 };
  let main = 0;
  for (const u of units) {
    for (const l of u.layers) {
      if (NORM_OPS.has(l.node.opType)) continue;
      main++;
      const v = facts?.verdictOf(lookup.label(l.node), l.weight) ?? 'unknown';
      if (v === 'bn-folded') verdicts.bnFolded++;
      else verdicts[v]++;
      const judged = facts?.judgeOf(lookup.label(l.node), l.weight);
      if (judged?.trained === true) verdicts.trainedElements += judged.elements;
      else if (judged?.trained === false) verdicts.freshElements += judged.elements;
    }
  }
  const withPath = units.every((u) => u.hasModulePath);
  return {
    index,
    name,
    label: unitRangeLabel(units, groupSizes),
    prefixes: withPath ? collapsePrefixes(units, groupSizes) : [],
    initializers,
    layers: main,
    parameters,
    boundary,
    verdicts,
    looksUntrained: false,
  };
}

/** `features.2–3`, `layer2`, `conv1 + bn1`. */
function unitRangeLabel(units: readonly Unit[], groupSizes: ReadonlyMap<string, number>): string {
  const keys = units.flatMap((u) => [u.key, ...u.extraKeys]);
  const out: string[] = [];
  for (const k of keys) {
    const { group } = blockUnit(k);
    const members = keys.filter((x) => blockUnit(x).group === group);
    if (group === k || members.length === 1) out.push(k);
    else if (members.length === groupSizes.get(group)) { if (!out.includes(group)) out.push(group); }
    else if (members[0] === k) out.push(`${group}.${k.slice(group.length + 1)}–${members[members.length - 1]!.slice(group.length + 1)}`);
  }
  return out.join(' + ');
}

/** Module prefixes (`layer2.`), collapsed to the container when the stage covers all of it. */
function collapsePrefixes(units: readonly Unit[], groupSizes: ReadonlyMap<string, number>): string[] {
  const keys = units.flatMap((u) => [u.key, ...u.extraKeys]);
  const out: string[] = [];
  for (const k of keys) {
    const { group } = blockUnit(k);
    const whole = group !== k && keys.filter((x) => blockUnit(x).group === group).length === groupSizes.get(group);
    const p = whole ? `${group}.` : `${k}.`;
    if (!out.some((o) => p.startsWith(o))) out.push(p);
  }
  return out;
}

function ancestors(lookup: GraphLookup, tensor: string): Set<Node> {
  const out = new Set<Node>();
  const stack = [tensor];
  const seen = new Set<string>();
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = lookup.producer(t);
    if (!p || out.has(p)) continue;
    out.add(p);
    for (const i of p.inputs) if (i !== '') stack.push(i);
  }
  return out;
}

function hasParamInput(input: StageInput, node: Node): boolean {
  return node.inputs.some((i) => {
    if (i === '' || !input.lookup.isConstant(i)) return false;
    const root = input.lookup.weightRoot(i);
    const t = root !== undefined ? input.tensors.get(root) : undefined;
    return t !== undefined && PARAM_TYPES.has(t.dataType) && t.elementCount > 1;
  });
}

/** The weight initializer (root) a node uses as a layer weight, if it is a weight layer. */
function layerWeight(lookup: GraphLookup, tensors: ReadonlyMap<string, TensorRef>, node: Node): string | undefined {
  if (NORM_OPS.has(node.opType)) {
    const s = node.inputs[1];
    return s && lookup.isConstant(s) ? lookup.weightRoot(s) : undefined;
  }
  if (!WEIGHT_LAYER_OPS.has(node.opType)) return undefined;
  const cand = node.opType === 'Gather' ? node.inputs[0] : node.opType === 'MatMul' ? node.inputs.find((i) => i !== '' && lookup.isConstant(i)) : node.inputs[1];
  if (!cand || !lookup.isConstant(cand)) return undefined;
  const root = lookup.weightRoot(cand);
  const t = root !== undefined ? tensors.get(root) : undefined;
  return t && t.dims.length >= 2 && PARAM_TYPES.has(t.dataType) ? root : undefined;
}
