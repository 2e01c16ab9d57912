import './useFakeVscode';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import * as vscode from 'vscode';
import { fake } from './fakeVscode';
import { AnalysisService } from '../../src/vscode/analysisService';
import { BackboneExporter } from '../../src/vscode/backboneExporter';
import { Config } from '../../src/vscode/config';
import { DiagnosticsPublisher } from '../../src/vscode/diagnosticsPublisher';
import { InlineView } from '../../src/vscode/inlineView';
import { Log } from '../../src/vscode/log';
import { ModelReports } from '../../src/vscode/modelReports';
import { ReportEditorProvider } from '../../src/vscode/reportEditorProvider';
import { parseModel } from '../../src/core/onnx/parseModel';
import { bytesSource } from '../../src/core/host';
import { REPO_ROOT } from '../support/corpus';

// The webview's requests as the host answers them, against the real worker and a real model.
let dir = '';
let workerPath = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onnx-init-provider-'));
  workerPath = join(dir, 'analysisWorker.js');
  await esbuild.build({ entryPoints: [join(REPO_ROOT, 'src/vscode/analysisWorker.ts')], outfile: workerPath, bundle: true, platform: 'node', format: 'cjs', external: ['onnxruntime-node'], logLevel: 'error' });
  copyFileSync(join(REPO_ROOT, 'test/fixtures/models/mlp_defects.onnx'), join(dir, 'mlp.onnx'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('report requests: export (atomic, never over the model), backbone export, snippet, fine-tune settings', async () => {
  fake.settings = {};
  const log = new Log();
  const config = new Config();
  const service = new AnalysisService(workerPath, log);
  const reports = new ModelReports(service, config, log);
  const inline = new InlineView(reports, new DiagnosticsPublisher());
  const provider = new ReportEditorProvider(vscode.Uri.file(REPO_ROOT), reports, service, inline, new BackboneExporter(workerPath, log, () => 4096), config, log);
  const model = vscode.Uri.file(join(dir, 'mlp.onnx'));
  const report = await reports.analyze(model);
  assert.ok(report?.fineTune, 'analysis with a fine-tune plan');

  fake.saveTarget = undefined;
  assert.deepEqual(await provider.handle(model, 'export/report', { format: 'json' }), { saved: false, path: null }, 'cancelled dialog');
  fake.saveTarget = vscode.Uri.file(join(dir, 'out.json'));
  const saved = await provider.handle(model, 'export/report', { format: 'json' });
  assert.deepEqual(saved, { saved: true, path: join(dir, 'out.json') });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).layers.length, 5);
  fake.saveTarget = vscode.Uri.file(join(dir, 'out.md'));
  await provider.handle(model, 'export/report', { format: 'markdown' });
  assert.match(readFileSync(join(dir, 'out.md'), 'utf8'), /body\.fc2\.weight|body\\\.fc2\\\.weight/);
  fake.saveTarget = model;
  const before = readFileSync(model.fsPath);
  await assert.rejects(provider.handle(model, 'export/report', { format: 'html' }), /Refusing to overwrite the model/);
  assert.deepEqual(readFileSync(model.fsPath), before, 'the model is untouched');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');

  const cut = (report.fineTune as { cut: { tensor: string } | null }).cut;
  assert.ok(cut, 'the MLP has a classifier head to cut');
  fake.saveTarget = vscode.Uri.file(join(dir, 'backbone.onnx'));
  const bb = await provider.handle(model, 'export/backbone', { cutTensor: cut.tensor });
  assert.deepEqual(bb, { saved: true, path: join(dir, 'backbone.onnx') });
  const g = parseModel(bytesSource(readFileSync(join(dir, 'backbone.onnx')))).graph;
  assert.deepEqual(g.outputs.map((o) => o.name), [cut.tensor], 'the backbone computes the cut tensor');
  assert.ok(!g.nodes.some((n) => n.name === '/head/Gemm'), 'the head is gone');

  assert.deepEqual(await provider.handle(model, 'snippet/copy', { text: 'model.head = nn.Linear(128, 3)' }), { copied: true });
  assert.equal((vscode.env.clipboard as unknown as { text: string }).text, 'model.head = nn.Linear(128, 3)');

  const ft = await provider.handle(model, 'fineTune/update', { datasetSize: 'tiny', domain: 'different', numClasses: 3, inputChannels: null });
  assert.deepEqual(fake.settings['onnxInit.fineTune.numClasses'], 3, 'stored in the settings');
  assert.equal(ft.settings.fineTune.datasetSize, 'tiny');
  assert.equal((report.fineTune as { newHead: { classes: number } }).newHead.classes, 10, 'before: the model\'s own 10 classes');
  assert.equal((ft.fineTune as { newHead: { classes: number } }).newHead.classes, 3, 're-planned for 3 classes');
  assert.ok(!existsSync(join(dir, 'out.html')));
  provider.dispose();
  reports.dispose();
  service.dispose();
  config.dispose();
});
