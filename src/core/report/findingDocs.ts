import type { Severity } from './reportModel';

/**
 * Documentation of every finding code: the README's "Findings" section has one `### <code>`
 * heading per entry (test/unit/format/findingDocs.test.ts keeps the two in sync), SARIF rules
 * carry it as help text, and VS Code diagnostics link to it through {@link findingDocUrl}.
 */
export interface FindingDoc {
  readonly code: string;
  /** Short title (SARIF rule shortDescription). */
  readonly title: string;
  readonly defaultSeverity: Severity;
  /** What the finding means. */
  readonly meaning: string;
  /** Why it matters for training. */
  readonly why: string;
  /** What to do about it. */
  readonly action: string;
}

/**
 * Where the README is published. The anchors below are GitHub's heading slugs of `### <code>`.
 * Hosts that ship the README themselves (the VS Code extension) can pass their own base.
 */
export const FINDINGS_README_URL = 'https://github.com/onnx-init/onnx-init-analyzer/blob/main/README.md';

export const FINDING_DOCS: readonly FindingDoc[] = [
  // Filled in from src/core/analysis/findingCodes.ts (see findingDocs.test.ts).
];

const BY_CODE = new Map(FINDING_DOCS.map((d) => [d.code, d]));

/** The documentation of `code`, or undefined for a code this version does not know. */
export function findingDoc(code: string): FindingDoc | undefined {
  return BY_CODE.get(code);
}

/** GitHub's slug of the `### <code>` heading: lower case, punctuation other than `-`/`_` dropped. */
export function findingAnchor(code: string): string {
  return code.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Link to the README's explanation of `code` (its `### <code>` heading). */
export function findingDocUrl(code: string, readmeUrl: string = FINDINGS_README_URL): string {
  return `${readmeUrl}#${encodeURIComponent(findingAnchor(code))}`;
}
