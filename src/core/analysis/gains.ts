/** Activation kinds the analyzer recognizes after a layer (and accepts as the `activation` option). */
export type ActivationKind =
  | 'relu' | 'leaky_relu' | 'prelu' | 'elu' | 'selu' | 'celu' | 'gelu' | 'silu' | 'mish' | 'hardswish' | 'softplus'
  | 'tanh' | 'sigmoid' | 'hardsigmoid' | 'softmax' | 'linear';

export interface Activation {
  readonly kind: ActivationKind;
  /** Negative slope for leaky_relu / prelu. */
  readonly alpha?: number;
}

/** The user-facing option values (names; leaky_relu and prelu also take a slope, see ActivationSetting). */
export const ACTIVATION_OPTIONS = ['auto', 'relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'gelu', 'silu', 'hardswish', 'tanh', 'sigmoid', 'softmax', 'linear'] as const;
export type ActivationOption = (typeof ACTIVATION_OPTIONS)[number];
/** Activations whose option takes a negative slope: `leaky_relu:0.2`, `prelu:0.1`. */
export const SLOPED_ACTIVATIONS = ['leaky_relu', 'prelu'] as const;
/** The `activation` option: a name, or a sloped name with its slope after a colon (`leaky_relu:0.2`). */
export type ActivationSetting = ActivationOption | `${(typeof SLOPED_ACTIVATIONS)[number]}:${number}`;

/** Default negative slope: ONNX LeakyRelu's 0.01, PyTorch PReLU's initial 0.25. */
export function defaultSlope(kind: ActivationKind): number {
  return kind === 'prelu' ? 0.25 : 0.01;
}

/**
 * Validates an `activation` option value: one of ACTIVATION_OPTIONS, or `leaky_relu:A` / `prelu:A`
 * with a finite slope A ≥ 0. Returns the canonical form (`leaky_relu:0.2`), or undefined.
 */
export function parseActivationSetting(value: string): ActivationSetting | undefined {
  const v = value.trim();
  if ((ACTIVATION_OPTIONS as readonly string[]).includes(v)) return v as ActivationOption;
  const m = /^(leaky_relu|prelu):(.+)$/.exec(v);
  if (m === null) return undefined;
  const slope = (m[2] ?? '').trim();
  const a = Number(slope);
  if (slope === '' || !Number.isFinite(a) || a < 0) return undefined;
  return `${m[1] as (typeof SLOPED_ACTIVATIONS)[number]}:${a}`;
}

/** The activation an option value stands for (null for `auto` or an invalid value). */
export function activationFromSetting(setting: string): Activation | null {
  const v = parseActivationSetting(setting);
  if (v === undefined || v === 'auto') return null;
  const [name, slope] = v.split(':') as [ActivationKind, string | undefined];
  if (name === 'leaky_relu' || name === 'prelu') return { kind: name, alpha: slope !== undefined ? Number(slope) : defaultSlope(name) };
  return { kind: name };
}

const RELU_FAMILY = new Set<ActivationKind>(['relu', 'leaky_relu', 'prelu', 'elu', 'celu', 'gelu', 'silu', 'mish', 'hardswish', 'softplus']);

/**
 * `torch.nn.init.calculate_gain` for the activation. Activations torch has no entry for
 * (GELU, SiLU, ELU, ...) get ReLU's √2: they are ReLU-like for positive inputs, which is how
 * He initialization is applied to them in practice.
 */
export function calculateGain(a: Activation): number {
  switch (a.kind) {
    case 'relu': return Math.SQRT2;
    case 'leaky_relu':
    case 'prelu': { const s = a.alpha ?? defaultSlope(a.kind); return Math.sqrt(2 / (1 + s * s)); }
    case 'tanh': return 5 / 3;
    case 'selu': return 3 / 4;
    case 'sigmoid': case 'hardsigmoid': case 'softmax': case 'linear': return 1;
    default: return RELU_FAMILY.has(a.kind) ? Math.SQRT2 : 1;
  }
}

/** The scheme the analyzer recommends: He for the ReLU family, LeCun for SELU, Xavier otherwise. */
export function schemeFor(a: Activation): 'he' | 'xavier' | 'lecun' {
  if (a.kind === 'selu') return 'lecun';
  return RELU_FAMILY.has(a.kind) ? 'he' : 'xavier';
}

/**
 * How the activation scales the second moment of a zero-mean unit-variance input
 * (E[f(x)²] for x ~ N(0,1)): ReLU keeps half, leaky ReLU (1+α²)/2. Values for the smooth ones are
 * numerical integrals; used by the variance forecast.
 */
export function varianceFactor(a: Activation): number {
  switch (a.kind) {
    case 'relu': return 0.5;
    case 'leaky_relu': case 'prelu': { const s = a.alpha ?? defaultSlope(a.kind); return (1 + s * s) / 2; }
    case 'gelu': return 0.425;
    case 'silu': return 0.356;
    case 'mish': return 0.44;
    case 'hardswish': return 0.33;
    case 'elu': case 'celu': return 0.65;
    case 'softplus': return 0.9;
    case 'selu': return 1;
    case 'tanh': return 0.394;
    default: return 1;
  }
}

/** Display form, e.g. `LeakyRelu(0.2)`. */
export function activationName(a: Activation): string {
  const names: Record<ActivationKind, string> = {
    relu: 'Relu', leaky_relu: 'LeakyRelu', prelu: 'PRelu', elu: 'Elu', selu: 'Selu', celu: 'Celu', gelu: 'Gelu', silu: 'Silu',
    mish: 'Mish', hardswish: 'HardSwish', softplus: 'Softplus', tanh: 'Tanh', sigmoid: 'Sigmoid', hardsigmoid: 'HardSigmoid',
    softmax: 'Softmax', linear: 'none',
  };
  const n = names[a.kind];
  return a.alpha !== undefined && (a.kind === 'leaky_relu' || a.kind === 'prelu') ? `${n}(${+a.alpha.toPrecision(4)})` : n;
}
