// Serves the real webview bundle from a localhost server with the extension's own page
// (webviewHtmlFor) and CSP (as header and meta), a stub acquireVsCodeApi injected by a nonce
// script, and drives it with playwright-core + Debian's Chromium. The "host" side lives in the
// test: every message the webview posts reaches `onPost`, and `send` delivers host messages.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../../src/shared/protocol';
import { contentSecurityPolicy, makeNonce, webviewHtmlFor } from '../../../src/vscode/webviewHtml';
import { buildWebview } from './buildWebview';
import type { ThemeName } from './themes';
import { BODY_CLASS, themeCss } from './themes';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const chromiumSkip = HAVE_CHROMIUM ? false : `${CHROMIUM} is missing (apt-get install chromium): webview tests skipped`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

// The stub VS Code injects as acquireVsCodeApi: posts go to the test through an exposed binding;
// state lives in sessionStorage so a reload (= the tab being hidden and re-shown) keeps it.
const STUB = `
(() => {
  document.addEventListener('DOMContentLoaded', () => document.body.classList.add(window.__bodyClass));
  window.__csp = [];
  window.__errors = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => window.__toHost(JSON.parse(JSON.stringify(m))),
      getState: () => { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
      setState: (s) => { sessionStorage.setItem('state', JSON.stringify(s)); return s; },
    };
  };
})();`;

export interface Harness {
  readonly page: Page;
  readonly posted: WebviewToHost[];
  /** Messages of any alert/confirm/prompt the page opened (must stay empty). */
  readonly dialogs: string[];
  send(msg: HostToWebview): Promise<void>;
  waitForPost<T extends WebviewToHost['type']>(type: T, pred?: (m: Extract<WebviewToHost, { type: T }>) => boolean): Promise<Extract<WebviewToHost, { type: T }>>;
  cspViolations(): Promise<string[]>;
  pageErrors(): Promise<string[]>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly theme?: ThemeName;
  readonly width?: number;
  readonly height?: number;
  /** Serve the minified production bundle (the benchmark). */
  readonly production?: boolean;
  /** Called for every message the webview posts (after it is recorded). */
  readonly onPost?: (msg: WebviewToHost, h: Harness) => void | Promise<void>;
}

let browser: Promise<Browser> | null = null;

export function launch(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  if (browser) await (await browser).close();
  browser = null;
}

function serve(theme: ThemeName, dist: string): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        const nonce = makeNonce();
        const html = webviewHtmlFor({
          cspSource: origin, nonce, scriptUri: `${origin}/dist/main.js`, styleUri: `${origin}/dist/main.css`,
          extraHead: `<link rel="stylesheet" href="${origin}/theme.css">\n<script nonce="${nonce}">window.__bodyClass = ${JSON.stringify(BODY_CLASS[theme])};${STUB}</script>\n`,
        });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy(origin, nonce), 'cache-control': 'no-store' });
        res.end(html);
        return;
      }
      if (url.pathname === '/theme.css') {
        res.writeHead(200, { 'content-type': 'text/css' });
        res.end(themeCss(theme));
        return;
      }
      const rel = normalize(url.pathname.replace(/^\/dist\//, ''));
      const file = join(dist, rel);
      if (!url.pathname.startsWith('/dist/') || rel.startsWith('..') || !existsSync(file)) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

export async function openWebview(opts: HarnessOptions = {}): Promise<Harness> {
  const dist = await buildWebview(opts.production ?? false);
  const { server, origin } = await serve(opts.theme ?? 'dark', dist);
  const b = await launch();
  const context = await b.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 }, colorScheme: opts.theme === 'light' ? 'light' : 'dark' });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const posted: WebviewToHost[] = [];
  const waiters: { type: string; pred?: (m: never) => boolean; resolve: (m: WebviewToHost) => void }[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  const harness: Harness = {
    page,
    posted,
    dialogs,
    send: async (msg) => { await page.evaluate((m) => window.postMessage(m, '*'), msg as unknown as Record<string, unknown>); },
    waitForPost: (type, pred) => {
      const found = posted.find((m) => m.type === type && (!pred || pred(m as never)));
      if (found) return Promise.resolve(found as never);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), 15000);
        waiters.push({ type, pred: pred as never, resolve: (m) => { clearTimeout(timer); resolve(m as never); } });
      });
    },
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
    pageErrors: () => page.evaluate(() => (window as unknown as { __errors: string[] }).__errors),
    reload: async () => { posted.length = 0; await page.reload(); },
    close: async () => { await context.close(); await new Promise((r) => server.close(r)); },
  };
  await page.exposeFunction('__toHost', async (msg: WebviewToHost) => {
    posted.push(msg);
    for (const w of [...waiters]) {
      if (w.type === msg.type && (!w.pred || w.pred(msg as never))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
    await opts.onPost?.(msg, harness);
  });
  await page.goto(`${origin}/`);
  return harness;
}
