// The hostile corpus's "html" cases (injection payloads, 1 MiB names, RTL overrides, NULs,
// invalid UTF-8 in every string field) through `onnx-init analyze`: the HTML and Markdown reports
// must be inert (no unescaped <script, onerror=, onload=, javascript:), the text report must carry
// no raw control / bidi characters, and the JSON report must stay parseable and schema-valid.
// Then all 100 cases, each in its sandbox: refusals are one clean line, every report is inert,
// and the canary outside the model folder never shows up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath, corpusTestOptions, HAVE_CORPUS } from '../support/corpus';
import { runAnalyze } from '../../src/cli/commands/analyze';
import { reportValidator } from '../unit/format/reportValidator';
import { buildSandbox, hostileCases, type HostileCase as HostileCaseFile } from './hostileSandbox';
import { formatHtml } from '../../src/core/report/format/formatHtml';
import { formatMarkdown } from '../../src/core/report/format/formatMarkdown';
import { formatSarif } from '../../src/core/report/format/formatSarif';
import { formatText } from '../../src/core/report/format/formatText';
import type { Report } from '../../src/core/report/reportModel';

const ACTIVE_MARKUP = ['<script', 'onerror=', 'onload=', 'javascript:'];
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/u;


function htmlCases(): HostileCaseFile[] {
  if (!HAVE_CORPUS) return [];
  const index = JSON.parse(readFileSync(corpusPath('hostile', 'index.json'), 'utf8')) as { cases: { id: string; category: string }[] } | { id: string; category: string }[];
  const list = Array.isArray(index) ? index : index.cases;
  return list
    .filter((c) => c.category === 'html')
    .map((c) => JSON.parse(readFileSync(corpusPath('hostile', c.id, 'case.json'), 'utf8')) as HostileCaseFile);
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runAnalyze(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
  });
  return { code, stdout, stderr };
}

describe('analyze on the hostile html cases', corpusTestOptions, () => {
  const cases = htmlCases();
  const check = reportValidator();
  test('the corpus has the five html cases', () => {
    assert.deepEqual(cases.map((c) => c.id).sort(), ['html_injection_names', 'invalid_utf8_names', 'long_names_1mb', 'nul_in_names', 'unicode_rtl_names']);
  });
  for (const c of cases) {
    test(c.id, async () => {
      const model = corpusPath('hostile', c.id, c.model);
      const started = Date.now();
      const json = await run([model, '--format', 'json', '--fail-on', 'never']);
      const outcomes = [c.expected.outcome, ...(c.expected.acceptable_outcomes ?? [])];
      if (json.code === 2) {
        // A rejection is acceptable only where the case says so, with one clear line.
        assert.ok(outcomes.includes('reject'), `${c.id}: rejected but expected ${outcomes.join('/')}: ${json.stderr}`);
        assert.equal(json.stderr.trim().split('\n').length, 1);
        assert.doesNotMatch(json.stderr, RAW_CONTROL);
        return;
      }
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout);
      assert.deepEqual(check(report), [], `${c.id}: report violates docs/report.schema.json`);
      assert.doesNotMatch(json.stdout, /[\u202a-\u202e\u2066-\u2069\u2028\u2029<>]/u, 'JSON writes bidi/separators/<> as escapes');

      for (const format of ['html', 'markdown']) {
        const r = await run([model, '--format', format, '--fail-on', 'never']);
        assert.equal(r.code, 0, r.stderr);
        const lower = r.stdout.toLowerCase();
        for (const bad of ACTIVE_MARKUP) assert.ok(!lower.includes(bad), `${c.id} ${format}: "${bad}" unescaped`);
        assert.doesNotMatch(r.stdout, RAW_CONTROL, `${c.id} ${format}: raw control/bidi character`);
        assert.ok(r.stdout.length < 2_000_000, `${c.id} ${format}: ${r.stdout.length} chars (long names must be elided)`);
      }
      const text = await run([model, '--format', 'text', '--color', '--fail-on', 'never']);
      assert.equal(text.code, 0, text.stderr);
      // Our own SGR color codes are the only escape sequences allowed.
      // eslint-disable-next-line no-control-regex -- stripping our own color codes
      const plain = text.stdout.replace(/\u001b\[\d+m/g, '');
      assert.doesNotMatch(plain.replace(/\n/g, ''), RAW_CONTROL, `${c.id} text: raw control/bidi character`);
      assert.ok(text.stdout.length < 2_000_000);
      assert.ok(Date.now() - started < c.expected.max_seconds * 4 * 1000, `${c.id}: 4 runs within 4× max_seconds`);
    });
  }
});

describe('analyze on every hostile case: inert reports, one-line refusals, no canary', corpusTestOptions, () => {
  const cases = HAVE_CORPUS ? hostileCases() : [];
  test('the corpus has 100 cases', () => assert.equal(cases.length, 100));
  for (const c of cases) {
    test(c.id, async () => {
      const box = buildSandbox(c);
      try {
        const canary = box.canary.subarray(0, 32).toString('latin1');
        const json = await run([box.modelPath, '--format', 'json', '--fail-on', 'never']);
        assert.ok(!json.stdout.includes(canary) && !json.stderr.includes(canary), `${c.id}: canary in output`);
        if (json.code === 2) {
          assert.equal(json.stderr.trim().split('\n').length, 1, json.stderr);
          assert.doesNotMatch(json.stderr, RAW_CONTROL);
          assert.doesNotMatch(json.stderr, /internal error|\n\s+at /, json.stderr);
          return;
        }
        assert.equal(json.code, 0, json.stderr);
        const report = JSON.parse(json.stdout) as Report;
        for (const [format, out] of [['html', formatHtml(report)], ['markdown', formatMarkdown(report)], ['sarif', formatSarif(report)]] as const) {
          const lower = out.toLowerCase();
          if (format !== 'sarif') for (const bad of ACTIVE_MARKUP) assert.ok(!lower.includes(bad), `${c.id} ${format}: "${bad}" unescaped`);
          assert.doesNotMatch(out, RAW_CONTROL, `${c.id} ${format}`);
          assert.ok(!out.includes(canary), `${c.id} ${format}: canary`);
        }
        // eslint-disable-next-line no-control-regex -- stripping our own color codes
        const text = formatText(report, { color: true }).replace(/\u001b\[\d+m/g, '').replace(/\n/g, '');
        assert.doesNotMatch(text, RAW_CONTROL, `${c.id} text`);
      } finally {
        box.dispose();
      }
    });
  }
});
