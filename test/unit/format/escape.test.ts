import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from '../../../src/core/text/escapeHtml';
import { escapeMarkdown } from '../../../src/core/text/escapeMarkdown';
import { displayString, displayWidth } from '../../../src/core/report/format/displayString';
import { HOSTILE, INVISIBLE } from './hostileStrings';

test('escapeHtml encodes the characters that open markup, attributes, or event/URL tokens', () => {
  assert.equal(escapeHtml(`<a href="x" onerror='y'>&\`=:`), '&lt;a href&#61;&quot;x&quot; onerror&#61;&#39;y&#39;&gt;&amp;&#96;&#61;&#58;');
  assert.equal(escapeHtml('plain name_1.weight'), 'plain name_1.weight');
  assert.equal(escapeHtml('&lt;'), '&amp;lt;', 'existing entities are not trusted');
});

test('escapeMarkdown leaves no table pipe, code span, emphasis, link or raw HTML', () => {
  const out = escapeMarkdown(HOSTILE.pipes + HOSTILE.script);
  assert.doesNotMatch(out.replace(/\\[\\*_[\]|~!#]/g, ''), /[|`*_[\]!<>]/);
  assert.equal(out, 'a\\|b&#96;code&#96;\\*em\\*\\[link\\](http&#58;//x)\\!\\[img\\](y)&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(escapeMarkdown('a\\b'), 'a\\\\b');
});

test('displayString makes control, NUL and bidi characters visible', () => {
  assert.equal(displayString(HOSTILE.nul), 'w\\u0000hidden');
  assert.equal(displayString(HOSTILE.rtl), 'gpj.\\u202eexe.evil');
  assert.equal(displayString('a\nb\tc'), 'a\\nb\\tc');
  for (const value of Object.values(HOSTILE)) assert.doesNotMatch(displayString(value, 200), INVISIBLE);
});

test('displayString elides long names in the middle on code-point boundaries', () => {
  const long = displayString(HOSTILE.long, 41, { showLength: true });
  assert.equal(long, `${'L'.repeat(24)}…(1048576 chars)…${'L'.repeat(16)}`);
  const emoji = displayString(HOSTILE.astral, 11);
  assert.equal(Array.from(emoji).length, 11);
  assert.ok(emoji.includes('…'));
  assert.doesNotMatch(emoji, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, 'no lone surrogates');
  assert.equal(displayString('short', 80), 'short');
  assert.equal(displayString('x'.repeat(80), 80), 'x'.repeat(80), 'exactly max is not elided');
});

test('displayWidth counts wide characters twice and combining marks not at all', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('😀'), 2);
});
