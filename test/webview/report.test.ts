// Renders the real webview bundle in headless Chromium and checks what a user sees against the
// report's own numbers: summary, table, keyboard navigation, detail, depth charts, fine-tune
// strip, protocol round-trips, persisted state, and zero CSP violations / page errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { FineTuneReport, StageReport } from '../../src/core/finetune/fineTuneModel';
import type { LayerReport, Report } from '../../src/core/report/reportModel';
import type { FineTuneSettings } from '../../src/shared/protocol';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { HAVE_CORPUS, corpusPath } from '../support/corpus';
import type { ReportView } from './support/reportPage';
import { close, openReport, parseShown, visibleRows } from './support/reportPage';
import { DEFAULT_SETTINGS } from './support/screenshot';
import { FIXTURE_MODELS, analyzeFile, loadTestReport, testModelPaths } from './support/testReports';
import { probeReportStep } from '../../src/node/probe/probeReportStep';
import type { ProbeReport } from '../../src/core/probe/probeTypes';
import { chromiumSkip, closeBrowser } from './support/webviewHarness';

type PartStatus = 'frozen' | 'tuned' | 'replaced';
interface ExpectedStrip {
  readonly status: PartStatus[];
  readonly runs: { status: PartStatus; stage: string | null; count: number }[];
  readonly frozenStages: Set<string>;
  readonly cutAt: number | null;
}

/**
 * What report.fineTune says happens to each layer under the selected situation, read from the
 * report itself: the head's initializers (`replace`) are replaced, the `freeze` list (initializer
 * names, or parameter-name prefixes of whole stages) is frozen, everything else is fine-tuned.
 * Consecutive layers of one status and stage make one strip segment.
 */
function expectedStrip(r: Report): ExpectedStrip {
  const ft = r.fineTune as FineTuneReport;
  const freeze = new Set(ft.freeze);
  const stageOf = new Map<string, StageReport>();
  for (const s of ft.stages) for (const n of s.initializers) stageOf.set(n, s);
  const stageFrozen = (s: StageReport): boolean => (ft.freezeBy === 'prefix' ? s.prefixes.length > 0 && s.prefixes.every((p) => freeze.has(p)) : s.initializers.some((n) => freeze.has(n)));
  const frozen = (l: LayerReport): boolean => {
    const s = stageOf.get(l.weight);
    if (s) return stageFrozen(s);
    return ft.freezeBy === 'prefix' ? ft.freeze.some((p) => l.weight.startsWith(p)) : freeze.has(l.weight);
  };
  const status: PartStatus[] = r.layers.map((l) => (ft.replace.includes(l.weight) ? 'replaced' : frozen(l) ? 'frozen' : 'tuned'));
  const runs: ExpectedStrip['runs'] = [];
  r.layers.forEach((l, i) => {
    const stage = stageOf.get(l.weight)?.name ?? null;
    const last = runs.at(-1);
    if (last && last.status === status[i] && last.stage === stage) last.count++;
    else runs.push({ status: status[i]!, stage, count: 1 });
  });
  const first = status.indexOf('replaced');
  return { status, runs, frozenStages: new Set(ft.stages.filter(stageFrozen).map((s) => s.name)), cutAt: ft.cut && first >= 0 ? first : null };
}

/** Every `dt → dd` of the description lists under `sel`. */
async function kvOf(page: Page, sel: string): Promise<Record<string, string>> {
  return page.$$eval(`${sel} dl.kv`, (els) => Object.fromEntries(els.flatMap((d) => Array.from(d.querySelectorAll('dt')).map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? '']))));
}

/** "4: 1, 5, 17, 40" / "128: 0, 1, …, 31, … (128)" / "{0, 1, …, 7, … (128)}": the listed units and the total, checked against `xs`. */
function assertUnitList(shown: string, xs: readonly number[], what: string): void {
  const m = /^([^…(]*?)(?:, … \((\d+)\))?$/.exec(shown.trim());
  assert.ok(m, `${what}: ${shown}`);
  const listed = m[1]!.split(',').map((x) => Number(x.trim()));
  assert.deepEqual(listed, xs.slice(0, listed.length), `${what}: ${shown}`);
  assert.equal(m[2] != null ? Number(m[2]) : listed.length, xs.length, `${what}: ${shown}`);
}

/** The Channels card of the open layer against layer.channels. */
async function assertChannels(page: Page, l: LayerReport): Promise<void> {
  const c = l.channels!;
  const dl = await kvOf(page, '.detail');
  const [axis, count] = dl['Axis / count']!.split(' / ');
  assert.equal(Number(axis), c.axis);
  assert.equal(parseShown(count!), c.count);
  const [mn, md, mx] = dl['Std min / median / max']!.split(' / ').map(parseShown);
  assert.ok(close(mn!, c.stdMin) && close(md!, c.stdMedian) && close(mx!, c.stdMax), `${l.node} std min/median/max ${dl['Std min / median / max']} vs ${c.stdMin} / ${c.stdMedian} / ${c.stdMax}`);
  const spread = c.stdMin != null && c.stdMax != null && c.stdMin > 0 ? c.stdMax / c.stdMin : null;
  assert.ok(close(parseShown(dl['Spread (max÷min)']!), spread, 5e-3), `${l.node} spread ${dl['Spread (max÷min)']} vs ${spread}`);
  const dead = /^(\d+): (.*)$/.exec(dl['Dead units']!);
  assert.ok(dead, dl['Dead units']);
  assert.equal(Number(dead[1]), c.dead.length);
  if (c.dead.length === 0) assert.equal(dead[2], 'none');
  else assertUnitList(dead[2]!, c.dead, `${l.node} dead units`);
  const identical = dl['Identical groups']!;
  if (c.identical.length === 0) assert.equal(identical, 'none');
  else {
    const groups = [...identical.matchAll(/\{([^}]*)\}/g)].map((g) => g[1]!);
    assert.equal(groups.length, Math.min(8, c.identical.length), identical);
    groups.forEach((g, i) => assertUnitList(g, c.identical[i]!, `${l.node} identical group ${i}`));
  }
}

/** The band the depth chart's draw hook shaded, where it sits on the canvas, and how much of a few pixel rows is covered by the band's fill. */
async function shadedBand(page: Page, sel: string): Promise<{ band: number[]; inside: number[]; outside: number[] }> {
  const attrs = await page.$eval(`${sel} .uplot`, (el) => {
    const d = (el as HTMLElement).dataset;
    return { band: d.band ?? '', yScale: d.yScale ?? '', plotBox: d.plotBox ?? '' };
  });
  assert.ok(attrs.band && attrs.yScale && attrs.plotBox, `the chart exposes what its band hook drew: ${JSON.stringify(attrs)}`);
  const band = attrs.band.split(' ').map(Number);
  const [min, max] = attrs.yScale.split(' ').map(Number) as [number, number];
  const [left, top, width, height] = attrs.plotBox.split(' ').map(Number) as [number, number, number, number];
  // The y axis is log10(ratio), linear from max (top of the plot box) to min (bottom).
  const y = (v: number): number => top + ((max - Math.log10(v)) / (max - min)) * height;
  const [yHi, yLo] = [y(band[1]!), y(band[0]!)];
  // (Not the middle: ratio 1 is a decade, where a grid line is drawn over the band.)
  const insideRows = [yHi + 2, yHi + (yLo - yHi) / 3, yLo - 2].map(Math.round);
  const outsideRows = [yHi - 4, yLo + 4].map(Math.round).filter((r) => r > top && r < top + height);
  const fractions = await page.$eval(`${sel} .uplot canvas`, (cv, a) => {
    const img = (cv as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (cv as HTMLCanvasElement).width, (cv as HTMLCanvasElement).height);
    // The band's fill is the theme's green at low alpha; grid lines, axes and the blue series are not.
    return a.rows.map((row) => {
      let hit = 0, n = 0;
      for (let x = Math.ceil(a.left) + 1; x < a.left + a.width - 1; x++, n++) {
        const i = (row * img.width + x) * 4;
        const [r, g, b, al] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!];
        if (al > 0 && g > r + 20 && g > b + 20) hit++;
      }
      return hit / Math.max(1, n);
    });
  }, { rows: [...insideRows, ...outsideRows], left, width });
  return { band, inside: fractions.slice(0, insideRows.length), outside: fractions.slice(insideRows.length) };
}

/** The rendered Fine-tune cut tab against report.fineTune: strip, cut, plan, new head, stages and the reasons. */
async function assertFineTune(page: Page, r: Report): Promise<void> {
  const ft = r.fineTune as FineTuneReport;
  const ex = expectedStrip(r);
  const legend = await page.$$eval('.legend .lg', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.status, e.textContent ?? ''])));
  for (const s of ['frozen', 'tuned', 'replaced'] as const) {
    assert.match(legend[s]!, new RegExp(`: ${ex.status.filter((x) => x === s).length}$`), `${s} in the legend: ${legend[s]}`);
  }
  const segs = await page.$$eval('.strip .seg', (els) => els.map((e) => ({ status: (e as HTMLElement).dataset.status, count: Number((e as HTMLElement).dataset.count), title: (e as HTMLElement).title })));
  assert.deepEqual(segs.map((g) => [g.status, g.count]), ex.runs.map((x) => [x.status, x.count]), 'strip segments (status, layers) in graph order');
  segs.forEach((g, i) => { if (ex.runs[i]!.stage) assert.ok(g.title.includes(` · ${ex.runs[i]!.stage} · `), g.title); });
  if (ex.cutAt == null) assert.equal(await page.locator('.cut-mark').count(), 0);
  else {
    const left = await page.$eval('.cut-mark', (e) => (e as HTMLElement).style.left);
    assert.ok(Math.abs(parseFloat(left) - (ex.cutAt / r.layers.length) * 100) < 1e-3, `cut mark at ${left}, head is layer ${ex.cutAt} of ${r.layers.length}`);
  }
  if (ft.cut) assert.equal(await page.textContent('.cut-tensor'), ft.cut.tensor);
  // Stages table: the Plan column follows the same freeze list.
  const stageRows = await page.$$eval('table.stages tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent ?? '')));
  assert.deepEqual(stageRows.map((c) => [c[0], c[4]]), ft.stages.map((s) => [s.name, ex.frozenStages.has(s.name) ? 'frozen' : 'fine-tuned']));

  const plan = ft.plan.find((p) => p.selected)!;
  assert.equal(await page.textContent('.plan h3'), `Plan: ${plan.datasetSize} data, ${plan.domain} domain`);
  assert.equal(await page.textContent('.plan .plan-summary'), plan.summary);
  assert.deepEqual(await page.$$eval('.plan .steps li', (els) => els.map((e) => e.textContent)), plan.steps);
  assert.equal(await page.textContent('.plan > p.muted:last-of-type'), plan.reasoning);
  assert.equal(await page.locator('.plan .plan-caveat').count(), ft.transferable ? 0 : 1, 'a plan for fresh weights says it needs pretrained weights first');
  const lrs = await kvOf(page, '.plan');
  assert.deepEqual(Object.keys(lrs), plan.learningRates.map((g) => g.group));
  for (const g of plan.learningRates) {
    const shown = lrs[g.group]!;
    if (g.lr === 0) assert.equal(shown, 'frozen');
    else assert.ok(close(parseShown(shown.replace(/^lr /, '')), g.lr, 5e-3), `${g.group}: ${shown} vs ${g.lr}`);
  }
  assert.deepEqual(await page.$$eval('.plans tbody tr.selected td', (els) => els.map((e) => e.textContent)), [plan.datasetSize, plan.domain, plan.summary]);
  assert.deepEqual(await page.$$eval('.finetune .card', (cards) => cards.filter((c) => c.querySelector(':scope > h3')?.textContent === 'Why').flatMap((c) => Array.from(c.querySelectorAll('li'), (li) => li.textContent))), ft.rationale);

  const nh = ft.newHead;
  if (!nh) return void assert.equal(await page.locator('.new-head').count(), 0);
  const head = await kvOf(page, '.new-head');
  assert.equal(head.Layer, `${nh.layer} [${nh.shape.join('×')}]`);
  const classes = /^([\d,]+) \((.*)\)$/.exec(head.Classes!);
  assert.ok(classes, head.Classes);
  assert.deepEqual([parseShown(classes[1]!), classes[2]], [nh.classes, nh.classesFrom === 'option' ? 'from the setting' : 'as the current head']);
  const [fi, fo] = head['fan_in / fan_out']!.split(' / ').map(parseShown);
  assert.deepEqual([fi, fo], [nh.fanIn, nh.fanOut]);
  const init = /^(\S+)(?: std (\S+))?(?: \(uniform ±(\S+)\))?$/.exec(head.Init!);
  assert.ok(init, head.Init);
  assert.equal(init[1], nh.recommended.scheme);
  assert.ok(close(init[2] == null ? null : parseShown(init[2]), nh.recommended.std), `new head std ${head.Init} vs ${nh.recommended.std}`);
  assert.ok(close(init[3] == null ? null : parseShown(init[3]), nh.recommended.uniformBound), `new head bound ${head.Init} vs ${nh.recommended.uniformBound}`);
  assert.equal(head.Why, nh.recommended.reason);
}

/** Changes one fine-tune control and waits for the host's reply to be rendered; returns the request it sent. */
async function changeFineTune(v: ReportView, cls: string, value: string): Promise<FineTuneSettings> {
  const before = v.rpc.length;
  await v.page.evaluate(([c, val]) => { const s = document.querySelector(c!) as HTMLElement & { value: string }; s.value = val!; s.dispatchEvent(new Event('change')); }, [cls, value]);
  await v.page.waitForFunction(() => document.querySelector('.status')?.getAttribute('data-kind') !== 'loading');
  assert.equal(await v.page.textContent('.status'), 'Fine-tune plan updated.');
  const reqs = v.rpc.slice(before).filter((m) => m.method === 'fineTune/update');
  assert.equal(reqs.length, 1);
  return reqs[0]!.params as FineTuneSettings;
}

/** A corpus model with trained weights (something to transfer, so something to freeze). */
const TRAINED_MODEL = HAVE_CORPUS && existsSync(corpusPath('torch', 'digits_cnn_trained.onnx')) ? corpusPath('torch', 'digits_cnn_trained.onnx') : null;

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
  /** Puts the main report (and default settings) back after a test that showed another one, even when it failed. */
  const restoreAfter = (t: TestContext): void => t.after(async () => {
    await v.send({ type: 'report/update', report, settings: DEFAULT_SETTINGS });
    await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers`, report.layers.length);
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
    // Name filter: typing narrows the rows to the layers whose node or weight name contains the text.
    const segments = [...new Set(report.layers.flatMap((l) => l.node.toLowerCase().split(/[/.]/)).filter((x) => x.length > 1))];
    const matching = (t: string): LayerReport[] => report.layers.filter((l) => l.node.toLowerCase().includes(t) || l.weight.toLowerCase().includes(t));
    const needle = segments.map((x) => [x, matching(x).length] as const).filter(([, k]) => k > 1 && k < report.layers.length)
      .sort((a, b) => Math.abs(a[1] - report.layers.length / 3) - Math.abs(b[1] - report.layers.length / 3) || a[0].localeCompare(b[0]))[0]![0];
    const want = matching(needle);
    await v.page.locator('.flt-text input').fill(needle);
    await v.page.waitForFunction((t) => document.querySelector('.row-count')?.textContent === t, `${want.length} of ${report.layers.length} layers`);
    rows = await visibleRows(v.page);
    assert.ok(rows.length >= Math.min(want.length, 10), `${rows.length} rows shown for ${want.length} matches of "${needle}"`);
    assert.deepEqual(rows.map((r) => r.id), want.slice(0, rows.length).map((l) => l.id), `rows matching "${needle}", in graph order`);
    await v.page.locator('.flt-text input').fill('');
    await v.page.waitForFunction((t) => document.querySelector('.row-count')?.textContent === t, `${report.layers.length} of ${report.layers.length} layers`);
  });

  test('depth charts: ratio per layer with the tolerance band, forecast verdict', async (t) => {
    restoreAfter(t);
    await v.page.click('[data-tab=depth]');
    await v.page.waitForSelector('.ratio-chart canvas');
    // report.options.varianceTolerance is the factor 1+t the analysis judged with (README: band [1/(1+t), 1+t]).
    const checkBand = async (r: Report): Promise<void> => {
      const f = r.options.varianceTolerance;
      const known = r.layers.map((l) => l.ratio).filter((x): x is number => x != null && x >= 0 && Number.isFinite(x));
      const outside = known.filter((x) => x < 1 / f || x > f).length;
      assert.equal(await v.page.textContent('.ratio-summary'), `${outside} of ${known.length} layers outside the band.`);
      const shaded = await shadedBand(v.page, '.ratio-chart');
      assert.ok(close(shaded.band[0]!, 1 / f, 1e-9) && close(shaded.band[1]!, f, 1e-9), `band drawn ${shaded.band} vs [1/${f}, ${f}]`);
      assert.ok(shaded.inside.every((x) => x > 0.8), `band rows filled: ${shaded.inside}`);
      assert.ok(shaded.outside.length > 0 && shaded.outside.every((x) => x < 0.3), `rows outside the band not filled: ${shaded.outside}`);
    };
    await checkBand(report);
    const verdict = await v.page.textContent('.forecast-verdict');
    assert.ok(verdict!.startsWith(report.forecast.verdict === 'stable' ? 'stable' : report.forecast.verdict), verdict!);
    if (report.forecast.points.length) await v.page.waitForSelector('.forecast-chart canvas');
    // The same model judged with the setting t = 0.5 (the extension passes 1 + t): a narrower band.
    const setting = 0.5;
    const narrow = analyzeFile(report.model.path, { varianceTolerance: 1 + setting });
    assert.equal(narrow.options.varianceTolerance, 1 + setting);
    await v.send({ type: 'report/update', report: narrow });
    await v.page.waitForFunction((lo) => document.querySelector('.ratio-chart .uplot')?.getAttribute('data-band')?.startsWith(String(lo)), 1 / (1 + setting));
    await checkBand(narrow);
  });

  test('fine-tune: strip, cut, plan, new head and reasons; snippet copy; options re-plan through the host', async (t) => {
    restoreAfter(t);
    const ft = report.fineTune as FineTuneReport | undefined;
    await v.page.click('[data-tab=finetune]');
    if (!ft) {
      await v.page.waitForSelector('.finetune .muted');
      return;
    }
    await v.page.waitForSelector('.strip .seg');
    await assertFineTune(v.page, report);
    if (ft.snippet) {
      const before = v.rpc.length;
      await v.page.click('.copy-snippet');
      await v.page.waitForFunction(() => document.querySelector('.status')?.textContent?.includes('copied'));
      const req = v.rpc.slice(before).find((m) => m.method === 'snippet/copy');
      assert.deepEqual(req?.params, { text: ft.snippet });
    }
    // small → large: the host re-plans (the stub answers with the core's own re-analysis).
    assert.deepEqual(ft.selected, { datasetSize: 'small', domain: 'similar' });
    assert.deepEqual(await changeFineTune(v, '.ft-size', 'large'), { datasetSize: 'large', domain: 'similar', numClasses: null, inputChannels: null });
    const large = analyzeFile(report.model.path, { fineTune: { datasetSize: 'large', domain: 'similar' } });
    const selectedSummary = (f: FineTuneReport): string | undefined => f.plan.find((p) => p.selected)?.summary;
    assert.notEqual(selectedSummary(large.fineTune as FineTuneReport), selectedSummary(ft), 'the situations differ in this model');
    assert.equal(await v.page.$eval('.ft-size', (e) => (e as HTMLElement & { value: string }).value), 'large', 'the control shows the settings the host replied with');
    await assertFineTune(v.page, { ...report, fineTune: large.fineTune });
    // Classes: the new head is re-sized.
    assert.deepEqual(await changeFineTune(v, '.ft-classes', '7'), { datasetSize: 'large', domain: 'similar', numClasses: 7, inputChannels: null });
    const seven = analyzeFile(report.model.path, { fineTune: { datasetSize: 'large', domain: 'similar', classes: 7 } });
    assert.equal((seven.fineTune as FineTuneReport).newHead?.shape[0], 7);
    await assertFineTune(v.page, { ...report, fineTune: seven.fineTune });
    await v.send({ type: 'report/update', report, settings: DEFAULT_SETTINGS });
    await v.page.waitForSelector('.strip .seg');
    await assertFineTune(v.page, report);
  });

  test('fine-tune: trained weights — the freeze list drives the strip, and a larger dataset unfreezes it', { skip: TRAINED_MODEL ? false : 'corpus model digits_cnn_trained.onnx missing' }, async (t) => {
    restoreAfter(t);
    const trained = analyzeFile(TRAINED_MODEL!);
    const ft = trained.fineTune as FineTuneReport;
    assert.ok(ft.transferable && ft.freeze.length > 0, 'a model with weights to transfer and something to freeze');
    await v.send({ type: 'report/update', report: trained, settings: DEFAULT_SETTINGS });
    await v.page.click('[data-tab=finetune]');
    await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers` && document.querySelector('.strip .seg') != null, trained.layers.length);
    await assertFineTune(v.page, trained);
    const frozenBefore = expectedStrip(trained).status.filter((x) => x === 'frozen').length;
    assert.ok(frozenBefore > 0);
    assert.deepEqual(await changeFineTune(v, '.ft-size', 'large'), { datasetSize: 'large', domain: 'similar', numClasses: null, inputChannels: null });
    const large = { ...trained, fineTune: analyzeFile(TRAINED_MODEL!, { fineTune: { datasetSize: 'large', domain: 'similar' } }).fineTune };
    assert.notEqual(expectedStrip(large).status.filter((x) => x === 'frozen').length, frozenBefore, 'large data freezes less');
    await assertFineTune(v.page, large);
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

  test('summary findings open their layer; the detail shows per-channel spread, dead and identical units', async (t) => {
    restoreAfter(t);
    const defects = analyzeFile(`${FIXTURE_MODELS}/cnn_defects_nan_dead.onnx`);
    await v.send({ type: 'report/update', report: defects });
    await v.page.waitForFunction((n) => document.querySelector('.row-count')?.textContent === `${n} of ${n} layers`, defects.layers.length);
    const serious = defects.findings.filter((f) => !f.intentional && (f.severity === 'error' || f.severity === 'warning'));
    assert.deepEqual(serious.map((f) => f.code).sort(), ['dead-units', 'weight-non-finite']);
    for (const f of serious) {
      const l = defects.layers.find((x) => x.node === f.node && (f.tensor == null || x.weight === f.tensor))!;
      await v.page.click('[data-tab=depth]'); // away from the table: the click must bring the layer back
      await v.page.click(`.summary .top-findings .finding[data-code="${f.code}"]`);
      await v.page.waitForFunction((node) => document.querySelector('.detail-title')?.textContent === node, l.node);
      assert.ok(await v.page.isVisible('.detail-title'), 'the Layers tab is shown');
      assert.deepEqual((await visibleRows(v.page)).filter((r) => r.selected).map((r) => r.id), [l.id], `${f.code} selects ${l.node}`);
      assert.ok((await v.page.$$eval('.detail .finding', (els) => els.map((e) => (e as HTMLElement).dataset.code))).includes(f.code));
      if (f.code === 'dead-units') assert.ok(l.channels!.dead.length > 0, 'the dead-units finding opens the layer with dead channels');
      await assertChannels(v.page, l);
    }
    // Identical units, all-dead and zero-std channels (no spread).
    const mlp = analyzeFile(`${FIXTURE_MODELS}/mlp_defects.onnx`);
    await v.send({ type: 'report/update', report: mlp });
    const odd = mlp.layers.filter((l) => l.channels && (l.channels.identical.length > 0 || l.channels.dead.length > 0));
    assert.ok(odd.some((l) => l.channels!.identical.length > 0) && odd.some((l) => l.channels!.stdMin == null));
    for (const l of odd) {
      await v.send({ type: 'layer/select', layerId: l.id });
      await v.page.waitForFunction((node) => document.querySelector('.detail-title')?.textContent === node, l.node);
      await assertChannels(v.page, l);
    }
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
