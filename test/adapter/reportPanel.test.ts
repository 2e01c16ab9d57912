import './useFakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EventEmitter } from './fakeVscode';
import { Config } from '../../src/vscode/config';
import { Log } from '../../src/vscode/log';
import { ReportPanel } from '../../src/vscode/reportPanel';
import type { ReportPanelHost } from '../../src/vscode/reportPanel';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import type { HostToWebview } from '../../src/shared/protocol';
import type { Report } from '../../src/core/report/reportModel';
import { makeReport } from './reportFixture';

function setup(report: Report | undefined, handle: ReportPanelHost['handle']) {
  const fromWebview = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const posted: HostToWebview[] = [];
  const panel = {
    webview: { onDidReceiveMessage: fromWebview.event, postMessage: async (m: HostToWebview) => posted.push(m) },
    onDidDispose: disposed.event,
  } as unknown as vscode.WebviewPanel;
  const host: ReportPanelHost = {
    config: new Config(), log: new Log(), current: () => report, state: () => undefined, handle,
    revealLayer: async () => {},
  };
  const p = new ReportPanel(panel, vscode.Uri.file('/ws/m.onnx'), host);
  const send = async (m: unknown): Promise<void> => {
    fromWebview.fire(m);
    await new Promise((r) => setTimeout(r, 5));
  };
  return { p, posted, send };
}

test('report panel: nothing before the handshake, init after a matching ready, updates after', async () => {
  const r = makeReport();
  const { p, posted, send } = setup(r, async () => { throw new Error('unused'); });
  p.update(r);
  assert.equal(posted.length, 0, 'nothing is posted before webview/ready');
  await send({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION + 1 });
  assert.equal(posted.length, 0, 'a different protocol version gets no init');
  await send({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
  assert.equal(posted[0]?.type, 'report/init');
  assert.equal(posted[0]?.type === 'report/init' && posted[0].report.layers.length, 2);
  assert.equal(posted[0]?.type === 'report/init' && posted[0].settings.varianceTolerance, 1);
  p.update(r);
  assert.equal(posted[1]?.type, 'report/update');
  p.failed('bad file');
  assert.deepEqual(posted[2], { type: 'analysis/failed', message: 'bad file' });
  await send({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
  assert.equal(posted[3]?.type, 'report/init', 'a reloaded webview starts over with init');
  p.dispose();
});

test('report panel: exactly one rpc/result per request (ok, handler error, or invalid request); garbage ignored', async () => {
  const calls: string[] = [];
  const { posted, send } = setup(undefined, async (_uri, method, params) => {
    calls.push(method);
    if (method === 'snippet/copy') return { copied: (params as { text: string }).text === 'x' } as never;
    throw new Error('the save dialog failed');
  });
  await send({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
  assert.equal(posted.length, 0, 'no report yet, nothing running: nothing to say');
  await send({ type: 'rpc/request', id: 7, method: 'snippet/copy', params: { text: 'x' } });
  await send({ type: 'rpc/request', id: 8, method: 'export/report', params: { format: 'json' } });
  await send({ type: 'rpc/request', id: 9, method: 'export/report', params: { format: 'exe' } });
  await send({ type: 'rpc/request', id: 10, method: 'no/such', params: {} });
  await send('garbage');
  assert.deepEqual(calls, ['snippet/copy', 'export/report'], 'invalid requests never reach a handler');
  assert.deepEqual(posted, [
    { type: 'rpc/result', id: 7, ok: true, result: { copied: true } },
    { type: 'rpc/result', id: 8, ok: false, error: 'the save dialog failed' },
    { type: 'rpc/result', id: 9, ok: false, error: 'invalid request export/report' },
    { type: 'rpc/result', id: 10, ok: false, error: 'invalid request no/such' },
  ]);
});

test('report panel: partial reports while running until a complete one; a layer asked for early is selected once shown', async () => {
  const final = makeReport();
  const partial: Report = { ...final, findings: [], layers: final.layers.map((l) => ({ ...l, pending: true })) };
  const live: { current?: Report; state?: ReturnType<ReportPanelHost['state']> } = {};
  const { p, posted, send } = setup(undefined, async () => { throw new Error('unused'); });
  (p as unknown as { host: ReportPanelHost }).host.current = () => live.current;
  (p as unknown as { host: ReportPanelHost }).host.state = () => live.state;
  // Problems / CodeLens asks for a layer before the webview is even ready.
  p.selectLayer('L1');
  assert.equal(posted.length, 0);
  live.state = { status: 'running', done: 10, total: 100, partial };
  await send({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
  assert.deepEqual(posted.map((m) => m.type), ['report/init', 'layer/select', 'analysis/progress']);
  assert.equal(posted[0]?.type === 'report/init' && posted[0].partial, true);
  assert.deepEqual(posted[1], { type: 'layer/select', layerId: 'L1' });
  // The same partial report again (progress only) is not re-sent.
  p.update(undefined, { status: 'running', done: 50, total: 100, partial });
  assert.deepEqual(posted.slice(3).map((m) => m.type), ['analysis/progress']);
  live.current = final;
  p.update(final);
  assert.deepEqual(posted.slice(4).map((m) => m.type), ['report/update', 'layer/select'], 'the complete report, then the selection again');
  assert.equal(posted[4]?.type === 'report/update' && posted[4].partial, false);
  // A re-analysis (settings changed) never replaces the complete report with a partial one.
  p.update(undefined, { status: 'running', done: 1, total: 100, partial: { ...partial } });
  assert.deepEqual(posted.slice(6).map((m) => m.type), ['analysis/progress']);
  p.selectLayer('L0');
  assert.deepEqual(posted.at(-1), { type: 'layer/select', layerId: 'L0' }, 'with a complete report shown, at once');
  p.dispose();
});
