// The protocol guards: every message type and request method is accepted in its valid form and
// malformed envelopes are refused (the host validates before switching; so does the webview).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostToWebview, WebviewToHost } from '../../src/shared/protocol';
import { PROTOCOL_VERSION, isFineTuneSettings, isHostToWebview, isWebviewToHost } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from './support/screenshot';
import { syntheticReport } from './support/syntheticReport';

const report = syntheticReport({ layers: 3 });
const ft = DEFAULT_SETTINGS.fineTune;

test('valid webview → host messages pass, one per type and method', () => {
  const ok: WebviewToHost[] = [
    { type: 'webview/ready', protocolVersion: PROTOCOL_VERSION },
    { type: 'layer/reveal', layerId: 'L1' },
    { type: 'rpc/request', id: 1, method: 'export/report', params: { format: 'json' } },
    { type: 'rpc/request', id: 2, method: 'export/report', params: { format: 'html' } },
    { type: 'rpc/request', id: 3, method: 'export/backbone', params: { cutTensor: 'features' } },
    { type: 'rpc/request', id: 4, method: 'snippet/copy', params: { text: 'x' } },
    { type: 'rpc/request', id: 5, method: 'fineTune/update', params: { ...ft, numClasses: 10 } },
    { type: 'rpc/request', id: 6, method: 'inline/show', params: { layerId: null } },
    { type: 'rpc/request', id: 7, method: 'inline/show', params: { layerId: 'L2' } },
  ];
  for (const m of ok) assert.equal(isWebviewToHost(JSON.parse(JSON.stringify(m))), true, JSON.stringify(m));
});

test('malformed webview → host messages are refused', () => {
  const bad: unknown[] = [
    null, 42, 'webview/ready', [], {}, { type: 'webview/ready' }, { type: 'webview/ready', protocolVersion: '1' },
    { type: 'layer/reveal' }, { type: 'nope/never' }, { type: 'toString' }, { type: '__proto__' },
    { type: 'rpc/request', id: -1, method: 'snippet/copy', params: { text: '' } },
    { type: 'rpc/request', id: 1.5, method: 'snippet/copy', params: { text: '' } },
    { type: 'rpc/request', id: 1, method: 'export/report', params: { format: 'pdf' } },
    { type: 'rpc/request', id: 1, method: 'export/backbone', params: { cutTensor: '' } },
    { type: 'rpc/request', id: 1, method: 'fs/write', params: {} },
    { type: 'rpc/request', id: 1, method: 'hasOwnProperty', params: {} },
    { type: 'rpc/request', id: 1, method: 'snippet/copy' },
    { type: 'rpc/request', id: 1, method: 'fineTune/update', params: { ...ft, datasetSize: 1000 } },
    { type: 'rpc/request', id: 1, method: 'fineTune/update', params: { ...ft, domain: 'same' } },
    { type: 'rpc/request', id: 1, method: 'fineTune/update', params: { ...ft, numClasses: 0 } },
    { type: 'rpc/request', id: 1, method: 'inline/show', params: { layerId: 3 } },
  ];
  for (const m of bad) assert.equal(isWebviewToHost(m), false, JSON.stringify(m));
});

test('host → webview messages: valid pass, malformed are refused', () => {
  const ok: HostToWebview[] = [
    { type: 'report/init', report, settings: DEFAULT_SETTINGS },
    { type: 'report/init', report, settings: DEFAULT_SETTINGS, strings: { 'inline.show': 'Zeigen' }, partial: true },
    { type: 'report/update', report, partial: false },
    { type: 'analysis/progress', done: 1, total: 3, message: 'reading weights' },
    { type: 'analysis/failed', message: 'not an ONNX model' },
    { type: 'layer/select', layerId: 'L0' },
    { type: 'rpc/result', id: 1, ok: true, result: { saved: false, path: null } },
    { type: 'rpc/result', id: 1, ok: false, error: 'disk full' },
  ];
  for (const m of ok) assert.equal(isHostToWebview(JSON.parse(JSON.stringify(m))), true, m.type);
  const bad: unknown[] = [
    { type: 'report/init', report }, { type: 'report/init', report: { layers: [] }, settings: DEFAULT_SETTINGS },
    { type: 'report/init', report, settings: DEFAULT_SETTINGS, strings: { a: 1 } },
    { type: 'analysis/progress', done: -1, total: 3 }, { type: 'analysis/failed' },
    { type: 'rpc/result', id: 1, ok: false }, { type: 'rpc/result', id: 1 }, { type: 'webview/ready', protocolVersion: 1 },
  ];
  for (const m of bad) assert.equal(isHostToWebview(m), false, JSON.stringify(m));
});

test('reports cross the boundary unchanged (JSON-safe)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  assert.equal(isFineTuneSettings({ datasetSize: 'large', domain: 'different', numClasses: null, inputChannels: 1 }), true);
});
