// The webview bundle and its page: the reader never ends up in the bundle, the page's CSP is the
// strict one, assets go through asWebviewUri, resources are limited to dist/webview, and no
// report data is in the HTML.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { contentSecurityPolicy, makeNonce, renderWebviewHtml, webviewOptions } from '../../src/vscode/webviewHtml';
import { buildWebview, bundleInputs } from './support/buildWebview';

test('the bundle holds no reader, analysis or host code', async () => {
  const inputs = bundleInputs(await buildWebview());
  assert.ok(inputs.some((f) => f.startsWith('webview/')), 'our own code is in');
  assert.ok(inputs.some((f) => f.includes('node_modules/uplot/')), 'uPlot is in');
  const forbidden = inputs.filter((f) => /^src\/(core\/(onnx|protobuf|stats|analysis|finetune|probe)|node|vscode|cli)\//.test(f) || f.startsWith('node:'));
  assert.deepEqual(forbidden, []);
  // Only the protocol module (guards, constants) crosses from src/.
  assert.deepEqual(inputs.filter((f) => f.startsWith('src/')).sort(), ['src/shared/protocol.ts']);
});

class FakeUri {
  constructor(readonly scheme: string, readonly path: string) {}
  with(change: { path?: string }): FakeUri { return new FakeUri(this.scheme, change.path ?? this.path); }
  toString(): string { return `${this.scheme}://ext${this.path}`; }
}

test('renderWebviewHtml: strict CSP with a fresh nonce, assets via asWebviewUri, no data', () => {
  const ext = new FakeUri('file', '/ext/onnx-init/') as unknown as vscode.Uri;
  const seen: string[] = [];
  const webview = {
    cspSource: 'https://webview.test',
    asWebviewUri: (u: vscode.Uri) => { seen.push(u.path); return new FakeUri('https', `/wv${u.path}`) as unknown as vscode.Uri; },
  } as unknown as vscode.Webview;
  const a = renderWebviewHtml(webview, ext);
  const b = renderWebviewHtml(webview, ext);
  const nonceOf = (html: string): string => /script-src 'nonce-([0-9a-f]{32})'/.exec(html)![1]!;
  assert.notEqual(nonceOf(a), nonceOf(b), 'fresh nonce per render');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(a)![1]!.replace(/&#39;|&apos;/g, "'");
  assert.equal(csp, contentSecurityPolicy('https://webview.test', nonceOf(a)));
  for (const d of ["default-src 'none'", `script-src 'nonce-${nonceOf(a)}'`, 'style-src https://webview.test', 'img-src https://webview.test data: blob:', 'font-src https://webview.test']) assert.ok(csp.includes(d), d);
  assert.ok(!/unsafe-(inline|eval)/.test(csp));
  assert.deepEqual(seen.sort(), ['/ext/onnx-init/dist/webview/main.css', '/ext/onnx-init/dist/webview/main.js', '/ext/onnx-init/dist/webview/main.css', '/ext/onnx-init/dist/webview/main.js'].sort());
  assert.match(a, new RegExp(`<script nonce="${nonceOf(a)}" src="https://ext/wv/ext/onnx-init/dist/webview/main.js"></script>`));
  assert.equal((a.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
  assert.ok(!/<style|style=/.test(a), 'no inline styles');
  const opts = webviewOptions(ext);
  assert.equal(opts.enableScripts, true);
  assert.deepEqual(opts.localResourceRoots?.map((u) => u.path), ['/ext/onnx-init/dist/webview']);
  assert.match(makeNonce(), /^[0-9a-f]{32}$/);
});
