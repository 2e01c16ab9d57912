import { neutralizeControls } from '../../core/text/sanitize';

/**
 * Why a probe run failed, in terms a user can act on. The runner never lets an ORT failure, a
 * timeout or a runaway child take the caller down: every failure becomes one of these.
 */
export type ProbeErrorKind =
  /** onnxruntime could not load the (probe) model: unknown op, bad shapes, bad types. */
  | 'load-failed'
  /** The model loaded but a run failed (shape errors found at run time, kernel errors). */
  | 'run-failed'
  /** The model could not be read or prepared (parse error, unsupported inputs). */
  | 'prepare-failed'
  | 'timeout'
  | 'memory-limit'
  | 'cancelled'
  /** The probe process died or could not be started. */
  | 'crashed';

export interface ProbeErrorInfo {
  readonly kind: ProbeErrorKind;
  readonly message: string;
  /** The operator ORT named, when it named one. */
  readonly op?: string;
  /** The node ORT named, when it named one. */
  readonly node?: string;
  /** ORT's own message, unchanged (apart from control characters). */
  readonly ortMessage?: string;
}

export class ProbeError extends Error implements ProbeErrorInfo {
  override readonly name = 'ProbeError';
  readonly kind: ProbeErrorKind;
  readonly op?: string;
  readonly node?: string;
  readonly ortMessage?: string;
  constructor(info: ProbeErrorInfo) {
    super(info.message);
    this.kind = info.kind;
    if (info.op !== undefined) this.op = info.op;
    if (info.node !== undefined) this.node = info.node;
    if (info.ortMessage !== undefined) this.ortMessage = info.ortMessage;
  }

  toJSON(): ProbeErrorInfo {
    return { kind: this.kind, message: this.message, op: this.op, node: this.node, ortMessage: this.ortMessage };
  }
}

/**
 * Reads the op and node out of onnxruntime's messages. The shapes seen with ORT 1.30:
 *  - `In Node, ("weird", FooBar, "", -1) : ... No Op registered for FooBar with domain_version of 17`
 *  - `Node (mm_bad) Op (MatMul) [ShapeInferenceError] Incompatible dimensions ...`
 *  - `Could not find an implementation for FooBar(1) node with name 'x'`
 *  - `Non-zero status code returned while running MatMul node. Name:'mm' Status Message: ...`
 */
export function describeOrtError(kind: 'load-failed' | 'run-failed', raw: string): ProbeErrorInfo {
  // ORT quotes node and op names from the model: untrusted, so neutralized like every model string.
  const ortMessage = neutralizeControls(raw.trim()).slice(0, 2000);
  let op: string | undefined;
  let node: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /In Node, \("([^"]*)", ([^,\s]+), "([^"]*)"/.exec(ortMessage))) [node, op] = [m[1], m[2]];
  else if ((m = /Node \(([^)]*)\) Op \(([^)]*)\)/.exec(ortMessage))) [node, op] = [m[1], m[2]];
  else if ((m = /Could not find an implementation for (\S+?)\(\d+\) node with name '([^']*)'/.exec(ortMessage))) [op, node] = [m[1], m[2]];
  else if ((m = /running (\S+) node\. Name:'([^']*)'/.exec(ortMessage))) [op, node] = [m[1], m[2]];
  if (op === undefined && (m = /No Op registered for (\S+)/.exec(ortMessage))) op = m[1];
  const verb = kind === 'load-failed' ? 'cannot load the model' : 'failed while running the model';
  const where = op !== undefined ? ` at ${op}${node ? ` node "${node}"` : ''}` : '';
  return { kind, message: `onnxruntime ${verb}${where}: ${ortMessage}`, op, node, ortMessage };
}
