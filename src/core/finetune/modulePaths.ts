/**
 * PyTorch module paths recovered from ONNX names. The TorchScript exporter names nodes after the
 * module scopes they came from (`/features/features.1/conv/conv.0/conv.0.0/Conv`), where each
 * segment is relative to the last segment it does not extend; initializers keep parameter names
 * (`layer3.1.conv2.weight`) unless constant folding renamed them (`onnx::Conv_538`).
 */

const PARAM_LEAF = /^(weight|bias|running_mean|running_var|in_proj_weight|in_proj_bias|weight_ih_l\d+|weight_hh_l\d+|bias_ih_l\d+|bias_hh_l\d+|gamma|beta|scale)(_quantized|_scale|_zero_point|_dq)?$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$|^\d+$/;

/** Module path from a TorchScript-exporter node name, or null (`/Relu_2`, `Identity_3`, ...). */
export function modulePathFromNodeName(name: string): string | null {
  if (!name.startsWith('/')) return null;
  const segs = name.split('/').filter((s) => s !== '');
  if (segs.length < 2) return null;
  let full = '';
  let base = '';
  let prev = '';
  for (const seg of segs.slice(0, -1)) {
    if (!seg.split('.').every((t) => IDENT.test(t))) return null;
    if (prev !== '' && seg.startsWith(`${prev}.`)) {
      full = base + seg;
    } else {
      base = full === '' ? '' : `${full}.`;
      full = base + seg;
    }
    prev = seg;
  }
  return full === '' ? null : full;
}

/** Module path from a parameter name (`layer3.1.conv2.weight` → `layer3.1.conv2`), or null. */
export function modulePathFromParamName(name: string): string | null {
  const tokens = name.split('.');
  if (tokens.length < 2) return null;
  const leaf = tokens[tokens.length - 1]!;
  if (!PARAM_LEAF.test(leaf)) return null;
  const path = tokens.slice(0, -1);
  return path.every((t) => IDENT.test(t)) ? path.join('.') : null;
}

/** True for a name that is a PyTorch parameter path (`features.3.conv.1.weight`). */
export function looksLikeParamName(name: string): boolean {
  return modulePathFromParamName(name) !== null;
}

/**
 * The repeated-block unit a module belongs to: everything up to the first numeric index
 * (`layer3.1.conv2` → `layer3.1`, `features.12.squeeze` → `features.12`, `h.0.attn` → `h.0`),
 * or the whole path when there is no index (`body.fc1`). `group` is the container
 * (`layer3`, `features`, `h`), or the path itself.
 */
export function blockUnit(path: string): { unit: string; group: string } {
  const tokens = path.split('.');
  const i = tokens.findIndex((t) => /^\d+$/.test(t));
  if (i <= 0) return { unit: path, group: path };
  return { unit: tokens.slice(0, i + 1).join('.'), group: tokens.slice(0, i).join('.') };
}

/** Python expression for a module path: `classifier.1` → `model.classifier[1]`. */
export function pythonModuleExpr(path: string, root = 'model'): string {
  let expr = root;
  for (const t of path.split('.')) expr += /^\d+$/.test(t) ? `[${t}]` : `.${t}`;
  return expr;
}
