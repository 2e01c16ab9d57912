// The report webview's HTML: a strict CSP, the bundled assets through asWebviewUri, and no data
// at all (the report arrives by message after the `webview/ready` handshake).
// Only types come from 'vscode' (URIs are derived with Uri#with), so the webview tests can import
// this very module and serve the page with the same CSP outside VS Code.
import type * as vscode from 'vscode';

const join = (base: vscode.Uri, ...parts: string[]): vscode.Uri => base.with({ path: [base.path.replace(/\/+$/, ''), ...parts].join('/') });

/** The only folder the webview may load from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return join(extensionUri, 'dist', 'webview');
}

/** Webview options for the report: scripts on, resources limited to dist/webview. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)] };
}

/** A fresh 128-bit nonce (crypto.getRandomValues works in desktop and web extension hosts). */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The Content-Security-Policy of the report. Styles come only from the extension: the
 * @vscode-elements components style their shadow roots with constructable stylesheets
 * (adoptedStyleSheets), which CSP style-src does not govern, and uPlot/our code set styles through
 * the CSSOM (element.style), which CSP does not block either; so no 'unsafe-inline' is needed.
 * blob:/data: images cover canvas exports of the charts; fonts are the bundled codicon.ttf.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The HTML of the report webview (fresh nonce per render). */
export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = makeNonce();
  const root = webviewRoot(extensionUri);
  const script = webview.asWebviewUri(join(root, 'main.js'));
  const style = webview.asWebviewUri(join(root, 'main.css'));
  return webviewHtmlFor({ cspSource: webview.cspSource, nonce, scriptUri: script.toString(), styleUri: style.toString() });
}

/** The page itself, with everything it depends on passed in (used by the webview tests too). */
export function webviewHtmlFor(o: { cspSource: string; nonce: string; scriptUri: string; styleUri: string; extraHead?: string }): string {
  const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>ONNX initialization report</title>
${o.extraHead ?? ''}</head>
<body>
<main id="root"></main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
