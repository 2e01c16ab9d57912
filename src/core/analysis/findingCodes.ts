/**
 * Every finding code the analysis emits, with a one-line description. Codes are stable kebab-case
 * forever (the README's findings section and SARIF rules are generated from this table).
 */
export const FINDING_CODES = {
  'weight-all-zero': 'Every value of a layer weight is 0: all units compute the same thing and receive the same gradient (symmetry is never broken).',
  'weight-constant': 'Every value of a layer weight is the same non-zero constant: the units stay identical during training.',
  'weight-non-finite': 'The tensor contains NaN or ±Inf values: the forward pass produces NaN.',
  'dead-units': 'Some output units (rows / filters) are entirely zero: they output only their bias and never learn from the input.',
  'identical-units': 'Some output units have exactly the same weights: symmetry was not broken, they will learn the same features.',
  'variance-too-high': 'The weight std is well above the recommended (He / Xavier / LeCun) std for its fan and activation: activations grow with depth.',
  'variance-too-low': 'The weight std is well below the recommended std for its fan and activation: activations shrink with depth.',
  'zero-bias-before-relu': 'Hint: a zero bias feeds a ReLU; a small positive constant (e.g. 0.01) keeps units from starting dead.',
  'tensor-refused': 'The tensor data could not be read safely (bad size, refused external data, ...); the rule is named.',
  'tensor-skipped': 'The tensor has a non-numeric type (string, complex) and was not analyzed.',
  'external-data-overlap': 'Two tensors read overlapping bytes of the same external-data file (the pair, the file and the shared byte range are named).',
  'external-data-unreferenced': 'Bytes of an external-data file are not referenced by any tensor (alignment padding aside); the file and the byte ranges are named.',
  'activation-explodes-forecast': 'The forecast of activation variance through the depth of the main path grows beyond the band.',
  'activation-vanishes-forecast': 'The forecast of activation variance through the depth of the main path shrinks below the band.',
  'intentional-zero-gamma-residual': 'Deliberate: zero scale on the last normalization of a residual block (zero_init_residual, Goyal et al. 2017).',
  'intentional-zero-residual-branch': 'Deliberate: the last layer of a residual branch is zero (Fixup / SkipInit / ControlNet zero convolution).',
  'intentional-zero-head': 'Deliberate: the output layer is zero-initialized (Fixup, ViT JAX-style head).',
  'intentional-small-head': 'Deliberate: the output layer uses a small init (e.g. torchvision N(0, 0.01)); it does not compound through depth.',
  'intentional-lora-b': 'Deliberate: LoRA B is zero so the adapted model starts equal to the base model.',
  'intentional-zero-bias': 'Deliberate: zero biases (the common default).',
  'intentional-unit-norm-scale': 'Deliberate: normalization scales of 1 and shifts of 0 (the standard init).',
  'intentional-padding-row': 'Deliberate: an all-zero embedding row (padding_idx).',
  'intentional-convention': 'Deliberate: the std differs from He/Xavier but matches a known convention (PyTorch default, N(0, 0.02), GPT-2 residual scaling).',
  'variance-context': 'Trained or BN-folded layer: its std differs from the init recommendation, which is expected after training / folding (context only).',
} as const;

export type FindingCode = keyof typeof FINDING_CODES;
