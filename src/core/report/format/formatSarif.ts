import type { Finding, Report, Severity } from '../reportModel';
// Types only (@types/sarif, the SARIF 2.1.0 object model): the compiler checks our log's structure.
import type * as Sarif from 'sarif';
import { FINDINGS_README_URL, findingDoc, findingDocUrl } from '../findingDocs';
import { displayString } from './displayString';

/** Options of {@link formatSarif}. */
export interface SarifFormatOptions {
  /**
   * The model's URI as code scanning should show it: a path relative to the repository root
   * (forward slashes) or an absolute `file:` URI. Default: derived from `report.model.path`.
   */
  readonly artifactUri?: string;
  /** Base of the README link in each rule's helpUri. */
  readonly readmeUrl?: string;
}

const LEVEL: Readonly<Record<Severity, Sarif.Result.level>> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/**
 * The findings as a SARIF 2.1.0 log (one run) for code-scanning in CI. Rules are the finding
 * codes present, with the README text as help and helpUri pointing at the README anchor. Each
 * result is located in the model file (artifactLocation) and, logically, at the tensor and the
 * node. Model strings are neutralized and elided (viewers render them as text), JSON-escaped by
 * JSON.stringify.
 */
export function formatSarif(report: Report, options: SarifFormatOptions = {}): string {
  const uri = options.artifactUri ?? pathToUri(report.model.path);
  const codes = [...new Set(report.findings.map((f) => f.code))].sort();
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((code) => rule(code, report.findings, options.readmeUrl));
  const results = report.findings.map((f) => result(f, ruleIndex.get(f.code)!, uri, report.model.graphName));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: /^\d+\.\d+\.\d+/.test(report.tool.version) ? report.tool.version : undefined,
            informationUri: options.readmeUrl ?? FINDINGS_README_URL,
            rules,
          },
        },
        artifacts: [{ location: { uri }, length: report.model.fileSize }],
        results,
        properties: { reportSchemaVersion: report.schemaVersion, verdict: report.model.verdict, forecast: report.forecast.verdict },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function rule(code: string, findings: readonly Finding[], readmeUrl: string | undefined): Sarif.ReportingDescriptor {
  const doc = findingDoc(code);
  const first = findings.find((f) => f.code === code)!;
  const title = doc?.title ?? displayString(code, 80);
  const help = doc ? `${doc.meaning}\n\nWhy it matters: ${doc.why}\n\nWhat to do: ${doc.action}` : `See the README's Findings section for ${displayString(code, 80)}.`;
  return {
    id: displayString(code, 80),
    name: pascalCase(code),
    shortDescription: { text: title },
    fullDescription: { text: doc?.meaning ?? title },
    help: { text: help, markdown: doc ? `**${doc.title}**\n\n${doc.meaning}\n\n*Why it matters:* ${doc.why}\n\n*What to do:* ${doc.action}` : help },
    helpUri: findingDocUrl(code, readmeUrl),
    defaultConfiguration: { level: LEVEL[doc?.defaultSeverity ?? first.severity] },
  };
}

function result(f: Finding, index: number, uri: string, graphName: string): Sarif.Result {
  const logical: Sarif.LogicalLocation[] = [];
  const graph = displayString(graphName || 'graph', 80);
  if (f.tensor !== null) logical.push({ name: displayString(f.tensor, 200), fullyQualifiedName: `${graph}/${displayString(f.tensor, 200)}`, kind: 'variable' });
  if (f.node !== null) logical.push({ name: displayString(f.node, 200), fullyQualifiedName: `${graph}/${displayString(f.node, 200)}`, kind: 'function' });
  if (logical.length === 0) logical.push({ name: graph, kind: 'module' });
  return {
    ruleId: displayString(f.code, 80),
    ruleIndex: index,
    level: LEVEL[f.severity],
    kind: f.intentional ? 'informational' : 'fail',
    message: { text: displayString(f.message, 2000) },
    locations: [{ physicalLocation: { artifactLocation: { uri } }, logicalLocations: logical }],
    // Deliberate patterns are reported, but as accepted: code scanning shows them as dismissed.
    ...(f.intentional ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `deliberate pattern: ${displayString(f.message, 500)}` }] } : {}),
    partialFingerprints: { findingKey: `${f.code}/${displayString(f.tensor ?? '', 120)}/${displayString(f.node ?? '', 120)}` },
    properties: { severity: f.severity, ...(f.intentional ? { intentional: true } : {}), ...(f.data ? { data: f.data } : {}) },
  };
}

/** `PascalCase` rule name from a kebab-case code (SARIF rule `name` convention). */
function pascalCase(code: string): string {
  return code.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Finding';
}

/**
 * A SARIF artifact URI from a file path: relative paths stay relative (with `/`), absolute ones
 * become `file:` URIs. Each segment is percent-encoded, so spaces and `#` survive.
 */
export function pathToUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const encoded = slashed.split('/').map((seg, i) => (drive && i === 0 ? seg : encodeURIComponent(seg))).join('/');
  if (drive) return `file:///${encoded}`;
  if (slashed.startsWith('/')) return `file://${encoded}`;
  return encoded;
}
