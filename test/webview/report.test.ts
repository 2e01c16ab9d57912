// Renders the real webview bundle in headless Chromium and checks what a user sees against the
// report's own numbers: summary, table, keyboard navigation, detail, depth charts, fine-tune
// strip, protocol round-trips, persisted state, and zero CSP violations / page errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FineTuneReport } from '../../src/core/finetune/fineTuneModel';
import type { Report } from '../../src/core/report/reportModel';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { cutModel } from '../../webview/views/fineTuneView';
import { toleranceBand } from '../../webview/layerModel';
import type { ReportView } from './support/reportPage';
import { close, openReport, parseShown, visibleRows } from './support/reportPage';
import { FIXTURE_MODELS, analyzeFile, loadTestReport, testModelPaths } from './support/testReports';
import { probeReportStep } from '../../src/node/probe/probeReportStep';
import type { ProbeReport } from '../../src/core/probe/probeTypes';
import { chromiumSkip, closeBrowser } from './support/webviewHarness';

describe('webview report', { skip: chromiumSkip }, () => {
  let report: Report;
  let v: ReportView;

  before(async () => {
    report = await loadTestReport();
    v = await openReport(report);
  });
  after(async () => {
    await v?.close();
    await closeBrowser();
  });

  test('handshake: ready carries the protocol version, init renders the summary', async () => {
    const ready = v.posted.find((m) => m.type === 'webview/ready');
    assert.deepEqual(ready, { type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
    assert.equal(v.posted.filter((m) => m.type === 'webview/ready').length, 1);
    const text = await v.page.textContent('.summary');
    assert.match(text!, new RegExp(`Parameters\\s*[\\d.]+[kMB]?`));
    const counts = await v.page.$$eval('.sev-count', (els) => els.map((e) => [(e as HTMLElement).dataset.severity, e.textContent!.trim()]));
    for (const [sev, shown] of counts) {
      const n = report.findings.filter((f) => (f.intentional ? 'info' : f.severity) === sev).length;
      assert.equal(parseInt(shown!, 10), n, `${sev} count`);
    }
    assert.equal(await v.page.textContent('.row-count'), `${report.layers.length} of ${report.layers.length} layers`);
  });

  test('table rows show the report numbers, in graph order', async () => {
    const rows = await visibleRows(v.page);
    assert.ok(rows.length >= Math.min(report.layers.length, 10) && rows.length <= Math.min(report.layers.length, 60), `virtualized: ${rows.length} rows in the DOM`);
    for (const r of rows.slice(0, 12)) {
      const l = report.layers.find((x) => x.id === r.id)!;
      assert.equal(parseShown(r.cells.index!), l.index);
      assert.equal(r.cells.op, l.op);
      assert.equal(parseShown(r.cells.fanIn!), l.fanIn);
      assert.equal(parseShown(r.cells.fanOut!), l.fanOut);
      assert.ok(close(parseShown(r.cells.std!), l.stats.std), `std ${r.cells.std} vs ${l.stats.std}`);
      assert.ok(close(parseShown(r.cells.he!), l.recommended.he?.std), `he ${r.cells.he} vs ${l.recommended.he?.std}`);
      assert.ok(close(parseShown(r.cells.xavier!), l.recommended.xavier?.std));
      assert.ok(close(parseShown(r.cells.ratio!), l.ratio, 5e-3), `ratio ${r.cells.ratio} vs ${l.ratio}`);
      assert.equal(r.cells.shape, `[${l.shape.join('×')}]`);
    }
    assert.deepEqual(rows.map((r) => r.id), report.layers.slice(0, rows.length).map((l) => l.id));
  });

  test('keyboard: arrows move the selection, Enter opens the detail, End jumps to the last layer', async () => {
    await v.page.focus('.vt-scroll');
    for (let i = 0; i < 3; i++) await v.page.keyboard.press('ArrowDown');
    let sel = (await visibleRows(v.page)).filter((r) => r.selected);
    assert.deepEqual(sel.map((r) => r.id), [report.layers[2]!.id]);
    await v.page.keyboard.press('ArrowUp');
    sel = (await visibleRows(v.page)).filter((r) => r.selected);
    assert.deepEqual(sel.map((r) => r.id), [report.layers[1]!.id]);
    await v.page.keyboard.press('Enter');
    const l = report.layers[1]!;
    await v.page.waitForFunction((id) => document.querySelector('.detail-title') != null && document.querySelector('.detail .formula') != null && id !== '', l.id);
    assert.equal(await v.page.textContent('.detail .formula'), l.fanRule);
    await v.page.keyboard.press('End');
    await v.page.waitForTimeout(100);
    sel = (await visibleRows(v.page)).filter((r) => r.selected);
    assert.deepEqual(sel.map((r) => r.id), [report.layers.at(-1)!.id]);
    await v.page.keyboard.press('Home');
    await v.page.waitForTimeout(100);
    sel = (await visibleRows(v.page)).filter((r) => r.selected);
    assert.deepEqual(sel.map((r) => r.id), [report.layers[0]!.id]);
  });

  test('detail: fan formula, recommendation, stats and a histogram with the density overlay', async () => {
    const l = report.layers.find((x) => x.histogram != null && x.recommended.std != null && x.findings.length > 0) ?? report.layers.find((x) => x.histogram != null)!;
    await v.page.click(`.vt-body .vt-row[data-id="${l.id}"]`).catch(async () => {
      await v.send({ type: 'layer/select', layerId: l.id });
    });
    await v.page.waitForSelector('.detail .hist-chart canvas');
    assert.equal(await v.page.textContent('.detail .formula'), l.fanRule);
    const dl = await v.page.$$eval('.detail dl.kv', (els) => Object.fromEntries(els.flatMap((d) => Array.from(d.querySelectorAll('dt')).map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']))));
    assert.equal(parseShown(dl.fan_in!), l.fanIn);
    assert.ok(close(parseShown(dl['Measured std']!), l.stats.std));
    assert.ok(close(parseShown(dl['Recommended std']!), l.recommended.std));
    assert.equal(parseShown(dl.Elements!.replace(/\s*\(sampled\)/, '')), l.stats.count);
    const legend = await v.page.textContent('.detail .hist-chart .u-legend');
    assert.match(legend!, /measured/);
    if (l.recommended.std != null) assert.match(legend!, new RegExp(`(normal|uniform) \\(std ${l.recommended.std.toPrecision(3).replace('.', '\\.')}\\)`));
    const findings = await v.page.$$eval('.detail .finding', (els) => els.map((e) => (e as HTMLElement).dataset.code));
    assert.deepEqual(findings.sort(), l.findings.map((f) => f.code).sort());
    await v.page.click('.detail .reveal');
    assert.deepEqual(await v.waitForPost('layer/reveal', (m) => m.layerId === l.id), { type: 'layer/reveal', layerId: l.id });
  });

  test('sorting and filtering', async () => {
    await v.page.click('.vt-sort[data-key="std"]');
    let rows = await visibleRows(v.page);
    const stds = report.layers.map((l) => l.stats.std).filter((s): s is number => s != null).sort((a, b) => a - b);
    assert.ok(close(parseShown(rows[0]!.cells.std!), stds[0]!), `smallest std first: ${rows[0]!.cells.std} vs ${stds[0]}`);
    await v.page.click('.vt-sort[data-key="std"]');
    rows = await visibleRows(v.page);
    assert.ok(close(parseShown(rows[0]!.cells.std!), stds.at(-1)!), 'largest std first');
    await v.page.click('.vt-sort[data-key="index"]');
    const op = report.layers.at(-1)!.op;
    await v.page.evaluate((o) => { const s = document.querySelector('.flt-op') as HTMLElement & { value: string }; s.value = o; s.dispatchEvent(new Event('change')); }, op);
    rows = await visibleRows(v.page);
    const n = report.layers.filter((l) => l.op === op).length;
    assert.equal(await v.page.textContent('.row-count'), `${n} of ${report.layers.length} layers`);
    assert.ok(rows.every((r) => r.cells.op === op));
    await v.page.evaluate(() => { const s = document.querySelector('.flt-op') as HTMLElement & { value: string }; s.value = 'all'; s.dispatchEvent(new Event('change')); });
    const worst = report.layers.filter((l) => l.findings.some((f) => f.severity === 'warning')).length;
    await v.page.evaluate(() => { const s = document.querySelector('.flt-severity') as HTMLElement & { value: string }; s.value = 'warning'; s.dispatchEvent(new Event('change')); });
    assert.equal(await v.page.textContent('.row-count'), `${worst} of ${report.layers.length} layers`);
    await v.page.evaluate(() => { const s = document.querySelector('.flt-severity') as HTMLElement & { value: string }; s.value = 'all'; s.dispatchEvent(new Event('change')); });
  });

  test('depth charts: ratio per layer with the tolerance band, forecast verdict', async () => {
    await v.page.click('[data-tab=depth]');
    await v.page.waitForSelector('.ratio-chart canvas');
    const [lo, hi] = toleranceBand(report.options.varianceTolerance);
    const known = report.layers.map((l) => l.ratio).filter((r): r is number => r != null && r >= 0 && Number.isFinite(r));
    const outside = known.filter((r) => r < lo || r > hi).length;
    assert.equal(await v.page.textContent('.ratio-summary'), `${outside} of ${known.length} layers outside the band.`);
    const verdict = await v.page.textContent('.forecast-verdict');
    assert.ok(verdict!.startsWith(report.forecast.verdict === 'stable' ? 'stable' : report.forecast.verdict), verdict!);
    if (report.forecast.points.length) await v.page.waitForSelector('.forecast-chart canvas');
  });

  test('fine-tune: strip counts, cut, snippet copy and settings update round-trip', async () => {
    const ft = report.fineTune as FineTuneReport | undefined;
    await v.page.click('[data-tab=finetune]');
    if (!ft) {
      await v.page.waitForSelector('.finetune .muted');
      return;
    }
    await v.page.waitForSelector('.strip .seg');
    const cm = cutModel(report, ft);
    const legend = await v.page.$$eval('.legend .lg', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.status, e.textContent])));
    for (const s of ['frozen', 'tuned', 'replaced'] as const) assert.match(legend[s]!, new RegExp(`: ${cm.status.filter((x) => x === s).length}$`));
    assert.equal(await v.page.$$eval('.strip .seg', (e) => e.length), cm.runs.length);
    if (ft.cut) assert.equal(await v.page.textContent('.cut-tensor'), ft.cut.tensor);
    assert.equal(await v.page.locator('.cut-mark').count(), cm.cutAt == null ? 0 : 1);
    if (ft.snippet) {
      const before = v.rpc.length;
      await v.page.click('.copy-snippet');
      await v.page.waitForFunction(() => document.querySelector('.status')?.textContent?.includes('copied'));
      const req = v.rpc.slice(before).find((m) => m.method === 'snippet/copy');
      assert.deepEqual(req?.params, { text: ft.snippet });
    }
    const before = v.rpc.length;
    await v.page.evaluate(() => { const s = document.querySelector('.ft-size') as HTMLElement & { value: string }; s.value = 'large'; s.dispatchEvent(new Event('change')); });
    await v.page.waitForFunction(() => document.querySelector('.status')?.textContent === 'Fine-tune plan updated.' || document.querySelector('.status')?.getAttribute('data-kind') === 'error');
    const req = v.rpc.slice(before).find((m) => m.method === 'fineTune/update');
    assert.deepEqual(req?.params, { datasetSize: 'large', domain: 'similar', numClasses: null, inputChannels: null });
  });

  test('exports and inline diagnostics go to the host as rpc requests; errors are shown', async () => {
    for (const [cls, format] of [['.act-json', 'json'], ['.act-markdown', 'markdown'], ['.act-html', 'html']] as const) {
      const before = v.rpc.length;
      await v.page.click(cls);
      await v.page.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Report written to'));
      assert.deepEqual(v.rpc.slice(before).map((m) => [m.method, m.params]), [['export/report', { format }]]);
    }
    await v.page.click('.act-inline');
    await v.page.waitForFunction(() => document.querySelector('.status')?.textContent === 'Inline diagnostics shown.');
    assert.equal(v.rpc.at(-1)!.method, 'inline/show');
    const ids = new Set(v.rpc.map((m) => m.id));
    assert.equal(ids.size, v.rpc.length, 'request ids are unique');
  });

  test('layer/select from the host (Problems panel) opens that layer', async () => {
    const l = report.layers[Math.floor(report.layers.length / 2)]!;
    await v.send({ type: 'layer/select', layerId: l.id });
    await v.page.waitForFunction((fr) => document.querySelector('.detail .formula')?.textContent === fr, l.fanRule);
    // The Layers tab was hidden: the row is revealed once the table has a size again.
    await v.page.waitForSelector(`.vt-body .vt-row.selected[data-id="${l.id}"]:not([hidden])`);
    const rows = await visibleRows(v.page);
    assert.deepEqual(rows.filter((r) => r.selected).map((r) => r.id), [l.id]);
  });

  test('state survives hiding (reload → ready → init): selection, sort and tab', async () => {
    const l = report.layers[Math.min(3, report.layers.length - 1)]!;
    await v.send({ type: 'layer/select', layerId: l.id });
    await v.page.click('.vt-sort[data-key="fanIn"]');
    await v.reload();
    await v.waitForPost('webview/ready');
    await v.page.waitForSelector('.detail .formula');
    assert.equal(await v.page.textContent('.detail .formula'), l.fanRule);
    assert.equal(await v.page.getAttribute('.vt-sort[data-key="fanIn"]', 'aria-sort'), 'ascending');
    await v.page.click('.vt-sort[data-key="index"]');
  });

  test('every fixture / corpus model (report/update): each visible row matches its layer', async () => {
    let checked = 0;
    for (const path of testModelPaths()) {
      const r = analyzeFile(path);
      await v.send({ type: 'report/update', report: r });
      await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers`, r.layers.length);
      for (const row of await visibleRows(v.page)) {
        const l = r.layers.find((x) => x.id === row.id)!;
        const where = `${path.split('/').pop()} ${l.node}`;
        assert.equal(parseShown(row.cells.fanIn!), l.fanIn, where);
        assert.equal(parseShown(row.cells.fanOut!), l.fanOut, where);
        assert.ok(close(parseShown(row.cells.std!), l.stats.std), `${where} std ${row.cells.std} vs ${l.stats.std}`);
        assert.ok(close(parseShown(row.cells.ratio!), l.ratio, 5e-3), `${where} ratio ${row.cells.ratio} vs ${l.ratio}`);
        assert.equal(row.cells.verdict, l.verdict === 'unknown' ? '—' : l.verdict, where);
        checked++;
      }
      // Every tab renders for every model (a vanishing forecast spans ~25 decades).
      for (const tab of ['depth', 'finetune', 'findings']) {
        await v.page.click(`[data-tab=${tab}]`);
        await v.page.waitForFunction((t) => document.querySelector(`.panel-${t}`)?.children.length, tab);
      }
      await v.page.waitForSelector('.ratio-chart canvas', { state: 'attached' });
      await v.page.click('[data-tab=layers]');
    }
    assert.ok(checked > 0);
    await v.send({ type: 'report/update', report });
    await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers`, report.layers.length);
  });

  test('probe: measured vs forecast curve from a real forward probe (onnxruntime)', async () => {
    const model = `${FIXTURE_MODELS}/mlp_defects.onnx`;
    const probed = await probeReportStep(analyzeFile(model), model, { batches: 2, timeoutSeconds: 60 });
    const probe = probed.probe as ProbeReport | undefined;
    assert.ok(probe && probe.layers.length > 0, `probe ran: ${probed.findings.filter((f) => f.code === 'probe-failed').map((f) => f.message).join('; ')}`);
    await v.send({ type: 'report/update', report: probed });
    await v.page.click('[data-tab=depth]');
    await v.page.waitForSelector('.probe-chart canvas');
    const ratios = probe.layers.filter((l) => l.std != null && l.std >= 0 && l.forecastStd != null && l.forecastStd > 0).map((l) => l.std! / l.forecastStd!);
    const shown = (await v.page.textContent('.probe-summary'))!;
    const m = /([\d.e-]+)…([\d.e-]+)×/.exec(shown);
    assert.ok(m, shown);
    assert.ok(close(Number(m[1]), Math.min(...ratios), 5e-3) && close(Number(m[2]), Math.max(...ratios), 5e-3), `${shown} vs ${Math.min(...ratios)}…${Math.max(...ratios)}`);
    assert.match((await v.page.textContent('.probe-chart .u-legend'))!, /measured \(probe\).*forecast/s);
    assert.match((await v.page.textContent('.depth'))!, new RegExp(`each of the ${probe.layers.length} probed layers`));
    await v.send({ type: 'report/update', report });
    await v.page.click('[data-tab=layers]');
  });

  test('no CSP violations, no page errors, no dialogs', async () => {
    assert.deepEqual(await v.cspViolations(), []);
    assert.deepEqual(await v.pageErrors(), []);
    assert.deepEqual(v.dialogs, []);
  });
});
