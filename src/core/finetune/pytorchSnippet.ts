import type { HeadReport, NewHeadReport, PlanEntry, StageReport } from './fineTuneModel';
import { modulePathFromNodeName, modulePathFromParamName, pythonModuleExpr } from './modulePaths';

export interface SnippetInput {
  readonly head: HeadReport;
  readonly newHead: NewHeadReport | null;
  readonly stages: readonly StageReport[];
  readonly plan: PlanEntry;
  readonly transferable: boolean;
  /** Share of backbone layers whose PyTorch module path is known. */
  readonly modulePathCoverage: number;
}

/** Below this share of recoverable module paths a prefix-based freeze would miss parameters. */
const MIN_COVERAGE = 0.8;

/**
 * PyTorch code applying the selected plan to the module the ONNX file was exported from: new
 * head with the recommended init, LP (head only), then FT with per-stage learning rates, freezing
 * by parameter-name prefix. Only written when the names are PyTorch module paths; otherwise the
 * reason says why.
 */
export function pytorchSnippet(input: SnippetInput): { snippet: string | null; reason: string | null } {
  const { head, newHead, stages, plan } = input;
  if (!input.transferable) return { snippet: null, reason: 'the weights look freshly initialized: there is nothing to transfer, so there is nothing to freeze (train the whole model)' };
  if (!newHead) return { snippet: null, reason: `no replacement head is proposed for a ${head.kind} output` };
  const headPath = modulePathFromNodeName(head.node) ?? modulePathFromParamName(head.initializers[0] ?? '');
  if (!headPath || !isPythonPath(headPath)) return { snippet: null, reason: `the head ${head.node} has no PyTorch module path in its node or initializer names` };
  if (input.modulePathCoverage < MIN_COVERAGE || stages.some((s) => s.prefixes.length === 0 || !s.prefixes.every((p) => isPythonPath(p.slice(0, -1))))) {
    return { snippet: null, reason: `only ${Math.round(input.modulePathCoverage * 100)}% of the backbone layers have PyTorch module paths in their names, so freezing by parameter-name prefix would miss parameters` };
  }
  const stageByName = new Map(stages.map((s) => [s.name, s]));
  const frozenPrefixes = plan.frozenStages.flatMap((n) => stageByName.get(n)?.prefixes ?? []);
  const headExpr = pythonModuleExpr(headPath);
  const features = newHead.fanIn;
  const hasBias = newHead.bias ?? head.initializers.length > 1;
  const lines: string[] = [];
  lines.push(`# ${plan.summary}  (${plan.datasetSize} dataset, ${plan.domain} domain)`);
  lines.push('import torch');
  lines.push('import torch.nn as nn');
  lines.push('');
  lines.push('# `model`: the PyTorch module this ONNX file was exported from, with its weights loaded.');
  lines.push(`NUM_CLASSES = ${newHead.classes}`);
  lines.push(`FREEZE = (${frozenPrefixes.map(py).join(', ')}${frozenPrefixes.length === 1 ? ',' : ''})`);
  lines.push('');
  lines.push(`# New head: ${newHead.layer} ${features} -> NUM_CLASSES, ${newHead.recommended.scheme} (std ${fmt(newHead.recommended.std)}): ${newHead.followedBy === 'none' ? 'logits follow' : `${newHead.followedBy} follows`}`);
  if (head.op === 'Conv') lines.push(`head = nn.Conv2d(${features}, NUM_CLASSES, kernel_size=1${hasBias ? '' : ', bias=False'})`);
  else lines.push(`head = nn.Linear(${features}, NUM_CLASSES${hasBias ? '' : ', bias=False'})`);
  const tiedPath = head.tiedTo[0] !== undefined ? modulePathFromParamName(head.tiedTo[0]) : null;
  if (newHead.recommended.scheme === 'xavier_normal') lines.push('nn.init.xavier_normal_(head.weight)');
  else if (newHead.recommended.scheme === 'kaiming_normal') lines.push(`nn.init.kaiming_normal_(head.weight, nonlinearity=${/Leaky/.test(newHead.followedBy) ? "'leaky_relu'" : "'relu'"})`);
  else if (newHead.recommended.scheme === 'tied' && tiedPath) lines.push(`head.weight = ${pythonModuleExpr(tiedPath)}.weight  # re-tie to the token embedding (resize it first if the vocabulary changes)`);
  else lines.push('nn.init.normal_(head.weight, std=0.02)');
  if (newHead.alternative.scheme === 'zeros' && !/^(Relu|LeakyRelu)/.test(newHead.followedBy)) lines.push('# alternative: nn.init.zeros_(head.weight)  (see the zero-init note)');
  if (hasBias) lines.push('nn.init.zeros_(head.bias)');
  lines.push(`${headExpr} = head`);
  lines.push('');
  lines.push('def set_trainable(train_prefixes=None):');
  lines.push('    """LP: only train_prefixes train. FT (no argument): everything outside FREEZE trains."""');
  lines.push('    for name, p in model.named_parameters():');
  lines.push('        p.requires_grad = name.startswith(train_prefixes) if train_prefixes else not name.startswith(FREEZE)');
  lines.push('');
  lines.push('def freeze_bn_stats():');
  lines.push('    """Call after model.train(): frozen stages keep their BatchNorm running statistics."""');
  lines.push('    for name, m in model.named_modules():');
  lines.push('        if isinstance(m, nn.modules.batchnorm._BatchNorm) and (name + ".").startswith(FREEZE):');
  lines.push('            m.eval()');
  lines.push('');
  lines.push('# 1. Linear probe (LP): train the new head alone first (Kumar et al. 2022, LP-FT).');
  lines.push(`set_trainable((${py(`${headPath}.`)},))`);
  lines.push(`opt = torch.optim.AdamW(${headExpr}.parameters(), lr=2e-3)`);
  lines.push('# ... train until the validation loss stops improving ...');
  lines.push('');
  if (plan.trainableStages.length === 0) {
    lines.push('# 2. The plan stops after LP for this situation (keep the backbone frozen).');
  } else {
    lines.push(`# 2. Fine-tune (FT): unfreeze ${plan.trainableStages.join(', ')} with discriminative learning rates.`);
    lines.push('set_trainable()');
    lines.push('def params(*prefixes):');
    lines.push('    return [p for n, p in model.named_parameters() if n.startswith(prefixes)]');
    lines.push('opt = torch.optim.AdamW([');
    for (const g of plan.learningRates) {
      if (g.group === 'new head') continue;
      const s = stageByName.get(g.group);
      if (!s) continue;
      lines.push(`    {"params": params(${s.prefixes.map(py).join(', ')}), "lr": ${g.lr}},  # ${s.name}: ${s.label}`);
    }
    const headLr = plan.learningRates.find((g) => g.group === 'new head')?.lr ?? 1e-3;
    lines.push(`    {"params": ${headExpr}.parameters(), "lr": ${headLr}},  # new head`);
    lines.push('])');
    lines.push('# in the training loop: model.train(); freeze_bn_stats()');
  }
  return { snippet: lines.join('\n') + '\n', reason: null };
}

/** A Python string literal (names come from the model: escape everything non-printable). */
function py(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f || c > 0x7e) out += c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Module paths in code must be plain identifiers / indices (they are written unquoted). */
function isPythonPath(path: string): boolean {
  return path.split('.').every((t) => /^[A-Za-z_][A-Za-z0-9_]*$|^\d+$/.test(t));
}

function fmt(x: number | null): string {
  return x == null ? '—' : x.toPrecision(4);
}
