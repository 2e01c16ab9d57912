// Hostile model strings render as inert text: HTML/JS payloads in layer, weight, op and producer
// names execute nothing (a flag the payloads would set stays unset, no dialog opens, no element
// is created from them), 1 MB names do not break the page, and RTL overrides / NUL are shown as
// visible ⟨U+XXXX⟩ markers instead of reordering or truncating the text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Report } from '../../src/core/report/reportModel';
import type { ReportView } from './support/reportPage';
import { openReport } from './support/reportPage';
import { displayText } from '../../webview/dom';
import { hostileCorpusReports, hostileReport, HOSTILE_NAMES } from './support/testReports';
import { chromiumSkip, closeBrowser } from './support/webviewHarness';

describe('hostile names', { skip: chromiumSkip }, () => {
  let report: Report;
  let v: ReportView;

  before(async () => {
    report = await hostileReport();
    v = await openReport(report);
  });
  after(async () => {
    await v?.close();
    await closeBrowser();
  });

  const visitEverything = async (): Promise<void> => {
    for (const l of report.layers.slice(0, 12)) {
      await v.send({ type: 'layer/select', layerId: l.id });
      await v.page.waitForSelector('.detail .formula');
    }
    for (const tab of ['depth', 'finetune', 'findings', 'layers']) {
      await v.page.click(`[data-tab=${tab}]`);
      await v.page.waitForTimeout(50);
    }
  };

  test('nothing executes: flag unset, no dialogs, no injected elements, no CSP violations', async () => {
    await visitEverything();
    assert.equal(await v.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(v.dialogs, []);
    // Only our own two scripts; no img/iframe/object/svg elements made from the payloads.
    // (Light DOM: the components' own shadow roots hold their chevron SVGs.)
    const count = (sel: string): Promise<number> => v.page.evaluate((s) => document.querySelectorAll(s).length, sel);
    assert.equal(await count('script'), 2);
    assert.equal(await count('img, iframe, object, embed, svg, a[href^="javascript"]'), 0);
    assert.equal(await count('[onerror], [onload], [onclick], [onmouseover]'), 0);
    const shadowSvgs = await v.page.evaluate(() => Array.from(document.querySelectorAll('*')).filter((e) => e.shadowRoot?.querySelector('img, iframe, script, [onerror], [onload]')).length);
    assert.equal(shadowSvgs, 0);
    assert.deepEqual(await v.cspViolations(), []);
    assert.deepEqual(await v.pageErrors(), []);
  });

  test('payloads are shown as text', async () => {
    const body = (await v.page.textContent('body'))!;
    for (const name of HOSTILE_NAMES.html) assert.ok(body.includes(name.slice(0, 60)), `shown as text: ${name}`);
  });

  test('RTL overrides and NUL become visible markers; 1 MB names are elided', async () => {
    const body = (await v.page.textContent('body'))!;
    assert.ok(!body.includes('\u202e') && !body.includes('\u0000') && !body.includes('\u2066'), 'no raw bidi/NUL characters in the page text');
    assert.ok(body.includes('⟨U+202E⟩'));
    assert.ok(body.includes('⟨U+0000⟩'));
    const longest = Math.max(...(await v.page.$$eval('.vt-cell, .detail-title, .name', (els) => els.map((e) => (e.textContent ?? '').length))));
    assert.ok(longest < 5000, `longest rendered name ${longest} chars`);
    assert.match(body, /\(1,048,576 chars\)/);
  });

  test('the hostile corpus cases (real analysis) render inert, their names as text', async (t) => {
    const cases = hostileCorpusReports();
    if (cases.length === 0) { t.skip('shared corpus absent: hostile corpus cases skipped'); return; }
    for (const { id, report: r } of cases) {
      await v.send({ type: 'report/update', report: r });
      await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers`, r.layers.length);
      for (const tab of ['depth', 'finetune', 'findings', 'layers']) await v.page.click(`[data-tab=${tab}]`);
      const head = (await v.page.textContent('.top'))!;
      if (r.model.graphName) assert.ok(head.includes(displayText(r.model.graphName, 120).slice(0, 40)), `${id}: graph name shown as text`);
      const producer = (await v.page.textContent('.summary .facts'))!;
      assert.ok(producer.includes(displayText(r.model.producer.name || '—', 80).slice(0, 40)), `${id}: producer shown as text`);
    }
    assert.equal(await v.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(v.dialogs, []);
    assert.equal(await v.page.evaluate(() => document.querySelectorAll('script, img, iframe, svg, object, embed').length), 2);
    assert.deepEqual(await v.cspViolations(), []);
    assert.deepEqual(await v.pageErrors(), []);
  });
});
