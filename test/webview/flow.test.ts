// The message flow a user sees before and around the report: nothing before the handshake,
// progress while the analysis runs, the failure message, partial reports streaming in, and an
// rpc error reply shown as such.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from './support/screenshot';
import { visibleRows } from './support/reportPage';
import { FIXTURE_MODELS, analyzeFile } from './support/testReports';
import { chromiumSkip, closeBrowser, openWebview } from './support/webviewHarness';
import { THEMES } from './support/themes';
import type { ThemeName } from './support/themes';

const rgb = (hex: string): string => {
  const n = parseInt(hex.slice(1, 7), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
};

describe('message flow', { skip: chromiumSkip }, () => {
  after(async () => { await closeBrowser(); });

  test('ready → progress → failed; ready → partial init → final update; rpc error reply', async () => {
    const report = analyzeFile(`${FIXTURE_MODELS}/cnn_defects_nan_dead.onnx`);
    const h = await openWebview({ theme: 'light' });
    try {
      assert.deepEqual(await h.waitForPost('webview/ready'), { type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
      assert.equal(await h.page.textContent('.status'), 'Waiting for the analysis…');
      await h.send({ type: 'analysis/progress', done: 3, total: 10, message: 'reading <b>weights</b>' });
      assert.equal(await h.page.textContent('.status'), 'reading <b>weights</b> — 3 / 10');
      await h.send({ type: 'analysis/failed', message: 'not an ONNX model: bad tag at byte 12' });
      assert.equal(await h.page.getAttribute('.status', 'data-kind'), 'error');
      assert.equal(await h.page.textContent('.status'), 'not an ONNX model: bad tag at byte 12');

      // What the analysis sends while it reads the weights: every layer, their numbers pending.
      const partial = {
        ...report, findings: [],
        layers: report.layers.map((l) => ({ ...l, pending: true, stats: { ...l.stats, mean: null, std: null }, ratio: null, findings: [], verdict: 'unknown' as const })),
      };
      await h.send({ type: 'report/init', report: partial, settings: DEFAULT_SETTINGS, partial: true, strings: { 'inline.show': 'Inline-Diagnose zeigen' } });
      await h.page.waitForSelector('.top .partial');
      assert.equal(await h.page.textContent('.row-count'), `${report.layers.length} of ${report.layers.length} layers`);
      const pendingRows = await visibleRows(h.page);
      assert.ok(pendingRows.length > 0 && pendingRows.every((r) => r.cells.std === '…' && r.cells.ratio === '…'), JSON.stringify(pendingRows[0]));
      assert.ok(pendingRows.every((r) => r.cells.fanIn !== '—'), 'fans are shown while the statistics are pending');
      assert.match((await h.page.textContent('.act-inline'))!, /Inline-Diagnose zeigen/);
      await h.send({ type: 'report/update', report, partial: false });
      await h.page.waitForFunction(() => document.querySelector('.top .partial') === null);
      assert.ok((await visibleRows(h.page)).every((r) => r.cells.std !== '…'), 'the final report replaces the pending cells');

      // Malformed host messages are ignored, not fatal.
      await h.page.evaluate(() => { window.postMessage({ type: 'report/init' }, '*'); window.postMessage('junk', '*'); });
      const before = h.posted.length;
      await h.page.click('.act-json');
      const req = await h.waitForPost('rpc/request', (m) => m.method === 'export/report');
      assert.equal(h.posted.length, before + 1);
      await h.send({ type: 'rpc/result', id: req.id, ok: false, error: 'EACCES: permission denied, open /x.json' });
      await h.page.waitForFunction(() => document.querySelector('.status')?.getAttribute('data-kind') === 'error');
      assert.equal(await h.page.textContent('.status'), 'EACCES: permission denied, open /x.json');
      // A second reply to the same id is ignored (one reply per request).
      await h.send({ type: 'rpc/result', id: req.id, ok: true, result: { saved: true, path: '/y' } });
      assert.equal(await h.page.textContent('.status'), 'EACCES: permission denied, open /x.json');
      assert.deepEqual(await h.cspViolations(), []);
      assert.deepEqual(await h.pageErrors(), []);
    } finally {
      await h.close();
    }
  });

  test('light, dark and high contrast: colours come from the theme variables', async () => {
    const report = analyzeFile(`${FIXTURE_MODELS}/mlp_defects.onnx`);
    for (const theme of Object.keys(THEMES) as ThemeName[]) {
      const h = await openWebview({ theme });
      try {
        await h.waitForPost('webview/ready');
        await h.send({ type: 'report/init', report, settings: DEFAULT_SETTINGS });
        await h.page.waitForSelector('.vt-body .vt-row');
        const vars = THEMES[theme] as Record<string, string>;
        const got = await h.page.evaluate(() => ({
          bg: getComputedStyle(document.body).backgroundColor,
          fg: getComputedStyle(document.body).color,
          err: getComputedStyle(document.querySelector('.sev-count.sev-error')!).color,
        }));
        assert.deepEqual(got, { bg: rgb(vars['--vscode-editor-background']!), fg: rgb(vars['--vscode-foreground']!), err: rgb(vars['--vscode-editorError-foreground']!) }, theme);
        assert.deepEqual(await h.cspViolations(), [], theme);
      } finally {
        await h.close();
      }
    }
  });
});
