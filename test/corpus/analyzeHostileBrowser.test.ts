// The HTML report of the hostile html cases opened in a real browser (headless Chromium through
// playwright-core): nothing runs (no dialog, no script element, no event-handler attribute, no
// javascript: URL, nothing fetched), and the hostile names are shown as the literal text they are.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { corpusPath, corpusTestOptions } from '../support/corpus';
import { runAnalyze } from '../../src/cli/commands/analyze';

const CHROMIUM = '/usr/bin/chromium';
const CASES = ['html_injection_names', 'long_names_1mb', 'unicode_rtl_names', 'nul_in_names', 'invalid_utf8_names'];

async function htmlReport(model: string): Promise<string> {
  let stdout = '';
  const code = await runAnalyze([model, '--format', 'html', '--fail-on', 'never'], { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: () => true }, env: {} });
  assert.equal(code, 0);
  return stdout;
}

const skip = corpusTestOptions.skip || (existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium): browser check skipped`);

describe('HTML reports of hostile models are inert in a browser', { skip }, () => {
  let browser: Browser | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-html-'));
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const id of CASES) {
    test(id, async () => {
      browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      const file = join(dir, `${id}.html`);
      writeFileSync(file, await htmlReport(corpusPath('hostile', id, 'model.onnx')));
      const page = await browser.newPage();
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForTimeout(200);
      const dom = await page.evaluate(() => {
        const all = [...document.querySelectorAll('*')];
        return {
          scripts: document.querySelectorAll('script').length,
          handlers: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}.${a.name}`)),
          jsUrls: all.flatMap((el) => [...el.attributes].filter((a) => /^\s*javascript:/i.test(a.value)).map((a) => a.name)),
          tags: [...new Set(all.map((el) => el.tagName.toLowerCase()))].sort(),
          text: document.body.innerText,
        };
      });
      await page.close();
      assert.deepEqual(dialogs, [], 'no alert/confirm/prompt fired');
      assert.deepEqual(requests, [], 'nothing fetched');
      assert.equal(dom.scripts, 0);
      assert.deepEqual(dom.handlers, []);
      assert.deepEqual(dom.jsUrls, []);
      const allowed = ['a', 'bdi', 'body', 'br', 'code', 'dd', 'details', 'div', 'dl', 'dt', 'h1', 'h2', 'head', 'html', 'li', 'meta', 'p', 'polyline', 'pre', 'rect', 'section', 'span', 'strong', 'style', 'summary', 'svg', 'table', 'tbody', 'td', 'th', 'thead', 'title', 'tr', 'ul'];
      assert.deepEqual(dom.tags.filter((t) => !allowed.includes(t)), [], 'only the report’s own elements');
      if (id === 'html_injection_names') {
        // The payloads are visible as text (escaped, not dropped).
        assert.ok(dom.text.includes('<script>alert(1)</script>'), 'producer shown literally');
        assert.ok(dom.text.includes('"><img src=x onerror=alert(1)>'), 'graph name shown literally');
      }
      // eslint-disable-next-line no-control-regex -- NUL and bidi controls must not reach the page
      if (id === 'unicode_rtl_names' || id === 'nul_in_names') assert.doesNotMatch(dom.text, /[\u0000\u202a-\u202e\u2066-\u2069]/u);
    });
  }
});
