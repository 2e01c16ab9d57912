// Renders a report in the harness and saves screenshots (light + dark), for looking at the UI and
// for media/screenshot-*.png. Usage: node --import tsx test/webview/support/screenshot.ts OUTDIR [synthetic|model.onnx]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../../src/core/report/reportModel';
import type { ReportSettings } from '../../../src/shared/protocol';
import type { ThemeName } from './themes';
import { closeBrowser, openWebview } from './webviewHarness';
import { analyzeFile, mainTestModel } from './testReports';

export const DEFAULT_SETTINGS: ReportSettings = { fineTune: { datasetSize: 'small', domain: 'similar', numClasses: null, inputChannels: null }, varianceTolerance: 2 };

export async function screenshot(report: Report, theme: ThemeName, file: string, prepare?: (h: Awaited<ReturnType<typeof openWebview>>) => Promise<void>): Promise<void> {
  const h = await openWebview({ theme, width: 1280, height: 1000 });
  await h.waitForPost('webview/ready');
  await h.send({ type: 'report/init', report, settings: DEFAULT_SETTINGS });
  await h.page.waitForSelector('.vt-body .vt-row');
  if (prepare) await prepare(h);
  await h.page.waitForTimeout(300);
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await h.page.screenshot({ path: file, fullPage: true });
  await h.close();
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'test-artifacts/webview';
  const model = process.argv[3] ?? mainTestModel();
  const tag = process.argv[4] ?? '';
  mkdirSync(out, { recursive: true });
  const report = analyzeFile(model);
  const firstWithFindings = report.layers.find((l) => l.findings.some((f) => f.severity === 'warning' || f.severity === 'error')) ?? report.layers[0]!;
  const views: Record<string, (h: Awaited<ReturnType<typeof openWebview>>) => Promise<void>> = {
    layers: async (h) => {
      await h.send({ type: 'layer/select', layerId: firstWithFindings.id });
      await h.page.waitForSelector('.detail .hist-chart canvas');
    },
    depth: async (h) => { await h.page.click('[data-tab=depth]'); await h.page.waitForSelector('.ratio-chart canvas'); },
    finetune: async (h) => { await h.page.click('[data-tab=finetune]'); await h.page.waitForSelector('.finetune .card'); },
  };
  for (const theme of ['light', 'dark'] as const) {
    for (const [name, prep] of Object.entries(views)) await screenshot(report, theme, join(out, `${theme}-${name}${tag}.png`), prep);
  }
  await closeBrowser();
}

if (require.main === module) void main();
