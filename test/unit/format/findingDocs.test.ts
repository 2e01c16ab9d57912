// The README's "Findings" section is generated from FINDING_DOCS and must stay in sync with it and
// with the codes the engine and the probe emit. To regenerate after editing the docs:
//   UPDATE_README_FINDINGS=1 node --import tsx --test test/unit/format/findingDocs.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import { FINDING_DOCS, findingAnchor, findingDoc } from '../../../src/core/report/findingDocs';
import { FINDING_CODES } from '../../../src/core/analysis/findingCodes';
import { PROBE_FINDING_CODES } from '../../../src/core/probe/mergeProbe';

const README = join(REPO_ROOT, 'README.md');
const START = '## Findings\n';

/** The section as generated from FINDING_DOCS. */
function findingsSection(): string {
  const out = [
    '## Findings',
    '',
    'Every finding has a stable kebab-case code (never renamed), a severity (`error`, `warning`, `info`,',
    '`hint`), the tensor and node it is about, a message and the numbers behind it. `--fail-on`',
    'decides which severities fail the CLI; `intentional-*` and `variance-context` findings are',
    'information about deliberate patterns and never fail it. SARIF rules and the VS Code Problems',
    'panel link to the headings below.',
    '',
    '| code | default severity | meaning |',
    '|---|---|---|',
    ...FINDING_DOCS.map((d) => `| [\`${d.code}\`](#${findingAnchor(d.code)}) | ${d.defaultSeverity} | ${d.title} |`),
    '',
  ];
  for (const d of FINDING_DOCS) {
    out.push(`### ${d.code}`, '', `**${d.title}** (default severity: ${d.defaultSeverity})`, '', d.meaning, '', `**Why it matters.** ${d.why}`, '', `**What to do.** ${d.action}`, '');
  }
  return out.join('\n');
}

function currentSection(readme: string): { start: number; end: number } | null {
  const start = readme.indexOf(`\n${START}`);
  if (start < 0) return null;
  const next = readme.indexOf('\n## ', start + START.length);
  return { start: start + 1, end: next < 0 ? readme.length : next + 1 };
}

test('every code the engine and the probe emit is documented, and nothing else', () => {
  const documented = FINDING_DOCS.map((d) => d.code).sort();
  assert.deepEqual(documented, [...Object.keys(FINDING_CODES), ...PROBE_FINDING_CODES].sort());
  for (const d of FINDING_DOCS) {
    assert.match(d.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(d.title && d.meaning && d.why && d.action, d.code);
    assert.equal(findingDoc(d.code), d);
    if (d.code.startsWith('intentional-')) assert.equal(d.defaultSeverity, 'info', d.code);
  }
});

test('the README Findings section is the generated one', () => {
  const readme = readFileSync(README, 'utf8');
  const expected = `${findingsSection()}\n`;
  const at = currentSection(readme);
  if (process.env.UPDATE_README_FINDINGS) {
    const next = at ? readme.slice(0, at.start) + expected + readme.slice(at.end) : `${readme.trimEnd()}\n\n${expected}`;
    writeFileSync(README, next);
    return;
  }
  assert.ok(at, 'README has no "## Findings" section (regenerate: see the top of this file)');
  assert.equal(readme.slice(at.start, at.end), expected, 'README Findings section is stale (regenerate: see the top of this file)');
  for (const d of FINDING_DOCS) assert.ok(readme.includes(`\n### ${d.code}\n`), d.code);
});
