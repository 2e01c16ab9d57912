// Benchmark (not a timed test): time to first screen of a 10,000-layer report in the real
// webview bundle (production build) in headless Chromium — from the report/init message to the
// first painted frame with the summary and the visible table rows — plus the cost of a scroll
// step through the virtualized table, the DOM row count, and the bundle sizes.
// Usage: node --import tsx bench/webviewRender.ts   → bench/webview-results.json
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../test/webview/support/screenshot';
import { REPO, buildWebview, bundleSizes } from '../test/webview/support/buildWebview';
import { syntheticReport } from '../test/webview/support/syntheticReport';
import { HAVE_CHROMIUM, closeBrowser, openWebview } from '../test/webview/support/webviewHarness';

const LAYERS = 10_000;
const RUNS = 5;
/** Budgets (ms): the webview's own work for the first screen, and the whole first screen incl. message delivery. */
const BUDGET = { renderMs: 100, firstScreenMs: 2000, scrollStepP95Ms: 100 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

async function main(): Promise<void> {
  if (!HAVE_CHROMIUM) throw new Error('/usr/bin/chromium is missing: cannot run the webview benchmark');
  const dist = await buildWebview(true);
  const report = syntheticReport({ layers: LAYERS });
  const reportBytes = JSON.stringify(report).length;
  const firstScreen: number[] = [];
  const delivery: number[] = [];
  const render: number[] = [];
  const scrollSteps: number[] = [];
  let domRows = 0;
  for (let run = 0; run < RUNS; run++) {
    const h = await openWebview({ theme: 'dark', width: 1280, height: 900, production: true });
    await h.waitForPost('webview/ready');
    await h.page.evaluate((r) => { (window as unknown as { __report: unknown }).__report = r; }, report as unknown as Record<string, unknown>);
    // In-page code as strings: tsx's keepNames helpers (__name) do not exist in the page.
    const ms = await h.page.evaluate(`new Promise((resolve) => {
      let delivered = 0;
      window.addEventListener('message', () => { delivered = performance.now(); }, { capture: true, once: true });
      const t0 = performance.now();
      window.postMessage({ type: 'report/init', report: window.__report, settings: ${JSON.stringify(DEFAULT_SETTINGS)} }, '*');
      const check = () => {
        if (document.querySelector('.vt-body .vt-row:not([hidden])') && document.querySelector('.summary')) requestAnimationFrame(() => { const t = performance.now(); resolve({ total: t - t0, delivery: delivered - t0, render: t - delivered }); });
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    })`) as { total: number; delivery: number; render: number };
    firstScreen.push(ms.total);
    delivery.push(ms.delivery);
    render.push(ms.render);
    if (run === 0) {
      domRows = await h.page.evaluate(() => document.querySelectorAll('.vt-body .vt-row').length);
      // 200 scroll steps of ~40 rows each through the table: render time per step (until the next frame).
      const steps = await h.page.evaluate(`new Promise((resolve) => {
        const sc = document.querySelector('.vt-scroll');
        const out = [];
        let i = 0;
        const step = () => {
          if (i++ >= 200) { resolve(out); return; }
          const t0 = performance.now();
          sc.scrollTop = (i * 997) % (sc.scrollHeight - sc.clientHeight);
          sc.dispatchEvent(new Event('scroll'));
          requestAnimationFrame(() => { out.push(performance.now() - t0); setTimeout(step, 0); });
        };
        step();
      })`) as number[];
      scrollSteps.push(...steps);
    }
    await h.close();
  }
  await closeBrowser();
  const result = {
    what: `time from posting report/init to the first painted frame of a ${LAYERS}-layer report (summary + visible rows), production bundle, headless Chromium`,
    date: new Date().toISOString(),
    layers: LAYERS,
    reportJsonBytes: reportBytes,
    runs: RUNS,
    firstScreenMs: { median: Math.round(median(firstScreen)), min: Math.round(Math.min(...firstScreen)), all: firstScreen.map(Math.round) },
    /** Of which: postMessage structured clone of the report until our listener runs (the browser's part). */
    messageDeliveryMs: { median: Math.round(median(delivery)), all: delivery.map(Math.round) },
    /** Of which: our handling (index, summary, table) until the first painted frame. */
    renderMs: { median: Math.round(median(render)), all: render.map(Math.round) },
    scrollStepMs: { median: Number(median(scrollSteps).toFixed(1)), p95: Number(p95(scrollSteps).toFixed(1)), steps: scrollSteps.length },
    domRowsRendered: domRows,
    budget: BUDGET,
    withinBudget: {
      renderMs: median(render) <= BUDGET.renderMs,
      firstScreenMs: median(firstScreen) <= BUDGET.firstScreenMs,
      scrollStepP95Ms: p95(scrollSteps) <= BUDGET.scrollStepP95Ms,
    },
    bundleBytes: { ...bundleSizes(dist), 'codicon.ttf': statSync(join(dist, readdirSync(dist).find((f) => f.endsWith('.ttf'))!)).size },
  };
  writeFileSync(join(REPO, 'bench', 'webview-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();
