// Renders a report in the harness and saves screenshots (light + dark), for looking at the UI and
// for media/screenshot-*.png. Usage: node --import tsx test/webview/support/screenshot.ts OUTDIR [synthetic|model.onnx]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../../src/core/report/reportModel';
import type { ReportSettings } from '../../../src/shared/protocol';
import type { ThemeName } from './themes';
import { closeBrowser, openWebview } from './webviewHarness';
import { syntheticReport } from './syntheticReport';

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
  mkdirSync(out, { recursive: true });
  const report = syntheticReport({ layers: 60 });
  const open = async (h: Awaited<ReturnType<typeof openWebview>>): Promise<void> => {
    await h.page.click('.vt-body .vt-row >> nth=5');
  };
  for (const theme of ['light', 'dark'] as const) await screenshot(report, theme, join(out, `${theme}.png`), open);
  await closeBrowser();
}

if (require.main === module) void main();
