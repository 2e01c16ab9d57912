// The Markdown report rendered by a real GFM renderer (marked): model strings produce no HTML
// element, attribute, link or code span of their own, and every table keeps its column count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marked } from 'marked';
import { formatMarkdown } from '../../../src/core/report/format/formatMarkdown';
import { sampleReport, type SampleNames } from './sampleReport';
import { HOSTILE } from './hostileStrings';

function hostile(value: string): ReturnType<typeof sampleReport> {
  const names: SampleNames = { path: value, node: value, weight: value, op: value, producer: value, graph: value, activation: value, message: value, skipped: value };
  return sampleReport(names);
}

const OUR_TAGS = new Set(['h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'a', 'sub', 'br']);

test('rendered Markdown: only our elements and links, tables intact', () => {
  const clean = marked.parse(formatMarkdown(sampleReport()), { gfm: true, async: false });
  const cleanLinks = [...clean.matchAll(/<a /g)].length;
  const cleanCells = [...clean.matchAll(/<td[ >]/g)].length;
  for (const [kind, value] of Object.entries(HOSTILE)) {
    const html = marked.parse(formatMarkdown(hostile(value)), { gfm: true, async: false });
    const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    assert.deepEqual([...tags].filter((t) => !OUR_TAGS.has(t)), [], kind);
    assert.equal([...html.matchAll(/<a /g)].length, cleanLinks, `${kind}: links`);
    assert.equal([...html.matchAll(/<td[ >]/g)].length, cleanCells, `${kind}: table cells`);
    // Names like onerror=… may appear as text; what matters is that no element carries an attribute of theirs.
    for (const m of html.matchAll(/<[a-zA-Z][a-zA-Z0-9]*((?:\s+[^\s>]+)*)\s*>/g)) {
      const attrs = [...m[1]!.matchAll(/\s([a-zA-Z-]+)=/g)].map((a) => a[1]);
      assert.deepEqual(attrs.filter((a) => a !== 'href' && a !== 'align'), [], `${kind}: ${m[0].slice(0, 80)}`);
    }
    for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1]!, /^https:\/\/[^ ]+#[a-z0-9-]+$/, `${kind}: href ${m[1]}`);
  }
  // The text survives rendering: what the user sees is the original name, not entity soup.
  const pipes = marked.parse(formatMarkdown(hostile(HOSTILE.pipes)), { gfm: true, async: false });
  assert.ok(pipes.includes('a|b&#96;code&#96;*em*[link](http&#58;//x)![img](y)') || pipes.includes('a|b`code`*em*[link](http://x)![img](y)'), pipes.slice(0, 400));
});
