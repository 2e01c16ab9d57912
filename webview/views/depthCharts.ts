// Depth charts: measured÷recommended std per layer (log scale, tolerance band shaded), the
// forecast of activation variance through the network, and — when a probe ran — measured vs
// forecast activation variance. Clicking a point selects that layer.
import type uPlot from 'uplot';
import type { Report } from '../../src/core/report/reportModel';
import { clear, h } from '../dom';
import { num } from '../format';
import { toleranceBand } from '../layerModel';
import type { ProbeCurve } from './probeSeries';
import { probeCurve } from './probeSeries';
import { Chart, INDEX_INCRS, axis, chartTheme, log10Series, logAxis, logRange, withAlpha } from './charts';

// Zeros are kept (drawn on the axis's 0 floor); negatives / non-finite become gaps.
const positive = (v: number | null | undefined): number | null => (v != null && v >= 0 && Number.isFinite(v) ? v : null);

/** Ratio series along depth (graph order); unknown ratios become gaps. */
export function ratioSeries(report: Report): { x: number[]; ratio: (number | null)[] } {
  return { x: report.layers.map((l) => l.index), ratio: report.layers.map((l) => positive(l.ratio)) };
}

function bandHook(lo: number, hi: number, fill: string) {
  return (u: uPlot): void => {
    const ctx = u.ctx;
    const y0 = u.valToPos(Math.log10(hi), 'y', true);
    const y1 = u.valToPos(Math.log10(lo), 'y', true);
    ctx.save();
    ctx.fillStyle = fill;
    ctx.fillRect(u.bbox.left, Math.min(y0, y1), u.bbox.width, Math.abs(y1 - y0));
    ctx.restore();
    // What was shaded, for tests and tools reading the chart: the band (ratio values), the y scale
    // (log10 units) and the plot box (canvas pixels) it was drawn in.
    const d = u.root.dataset;
    d.band = `${lo} ${hi}`;
    d.yScale = `${u.scales.y!.min} ${u.scales.y!.max}`;
    d.plotBox = `${u.bbox.left} ${u.bbox.top} ${u.bbox.width} ${u.bbox.height}`;
  };
}

function clickSelect(u: uPlot, ids: readonly string[], onSelect: (id: string) => void): void {
  u.over.addEventListener('click', () => {
    const i = u.cursor.idx;
    if (i != null && ids[i] != null) onSelect(ids[i]!);
  });
}

export class DepthCharts {
  readonly element = h('section', { class: 'depth', 'aria-label': 'Depth charts' });
  private charts: Chart[] = [];

  constructor(private readonly onSelect: (id: string) => void) {}

  show(report: Report, tolerance: number): void {
    this.destroy();
    clear(this.element);
    const t = chartTheme();
    const [lo, hi] = toleranceBand(tolerance);

    // 1. std ratio per layer
    const rs = ratioSeries(report);
    const known = rs.ratio.filter((v): v is number => v != null);
    const outside = known.filter((v) => v < lo || v > hi).length;
    const ratioBox = h('div', { class: 'chart ratio-chart', 'aria-label': 'Std ratio per layer' });
    this.element.append(h('div', { class: 'card wide' },
      h('h3', null, 'Measured std ÷ recommended std, per layer'),
      h('p', { class: 'muted chart-note' }, `Shaded: tolerance band ${num(lo, 3)}…${num(hi, 3)}× (factor ${num(hi, 3)}). `,
        h('span', { class: 'ratio-summary' }, `${outside} of ${known.length} layers outside the band.`)),
      ratioBox));
    const ratioLog = log10Series(rs.ratio);
    const ratioChart = new Chart(ratioBox, 220);
    const ids = report.layers.map((l) => l.id);
    clickSelect(ratioChart.draw({
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { range: logRange([ratioLog], Math.log10(lo / 2), Math.log10(hi * 2)) } },
      axes: [axis(t, 'layer (graph order)', { incrs: INDEX_INCRS }), logAxis(t, 'ratio', ratioLog.zeroAt)],
      series: [
        { label: 'layer' },
        { label: 'std ratio', stroke: t.blue, width: 1.5, spanGaps: false, points: { show: report.layers.length <= 400, size: 5, fill: t.blue } },
      ],
      hooks: { drawClear: [bandHook(lo, hi, withAlpha(t.green, 0.18))] },
    }, [rs.x, ratioLog.values]), ids, this.onSelect);
    this.charts.push(ratioChart);

    // 2. forecast of activation variance
    const fc = report.forecast;
    const fx = fc.points.map((p) => p.depth);
    const cum = fc.points.map((p) => positive(p.cumulative));
    const fBox = h('div', { class: 'chart forecast-chart', 'aria-label': 'Activation variance forecast' });
    const verdictText = fc.verdict === 'stable' ? 'stable through the depth'
      : fc.verdict === 'unknown' ? 'unknown (not enough fan information)'
      : `${fc.verdict}${fc.startsAt != null ? ` from depth ${fc.startsAt}` : ''}`;
    this.element.append(h('div', { class: 'card wide' },
      h('h3', null, 'Forecast of activation variance (relative to the input)'),
      h('p', { class: 'muted chart-note' }, 'Verdict: ', h('strong', { class: `forecast-verdict fv-${fc.verdict}` }, verdictText)),
      fBox));
    if (fc.points.length > 0) {
      const cumLog = log10Series(cum);
      const fchart = new Chart(fBox, 200);
      clickSelect(fchart.draw({
        legend: { show: false },
        scales: { x: { time: false }, y: { range: logRange([cumLog], -1, 1) } },
        axes: [axis(t, 'depth', { incrs: INDEX_INCRS }), logAxis(t, 'variance', cumLog.zeroAt)],
        series: [
          { label: 'depth' },
          { label: 'forecast variance', stroke: fc.verdict === 'stable' ? t.green : t.red, width: 2, points: { show: fc.points.length <= 400, size: 4 } },
        ],
        hooks: { drawClear: [bandHook(1 / 10, 10, withAlpha(t.green, 0.12))] },
      }, [fx, cumLog.values]), fc.points.map((p) => p.layerId), this.onSelect);
      this.charts.push(fchart);
    } else {
      fBox.append(h('p', { class: 'muted' }, 'No forecast points.'));
    }

    // 3. probe: measured vs forecast
    const pc: ProbeCurve | null = probeCurve(report);
    if (pc) {
      const pBox = h('div', { class: 'chart probe-chart', 'aria-label': 'Probe: measured vs forecast std' });
      this.element.append(h('div', { class: 'card wide' },
        h('h3', null, 'Probe: measured vs forecast activation std'),
        h('p', { class: 'muted chart-note' }, pc.note, ' ',
          h('span', { class: 'probe-summary' }, pc.ratioRange ? `Measured ÷ forecast: ${num(pc.ratioRange[0], 3)}…${num(pc.ratioRange[1], 3)}×.` : 'No layer with both values.')), pBox));
      const mLog = log10Series(pc.measured), fLog = log10Series(pc.forecast);
      const pchart = new Chart(pBox, 200);
      clickSelect(pchart.draw({
        legend: { show: true, live: false },
        scales: { x: { time: false }, y: { range: logRange([mLog, fLog], -1, 1) } },
        axes: [axis(t, 'depth', { incrs: INDEX_INCRS }), logAxis(t, 'activation std', mLog.zeroAt ?? fLog.zeroAt)],
        series: [
          { label: 'depth' },
          { label: 'measured (probe)', stroke: t.purple, width: 2, points: { show: true, size: 4 } },
          { label: 'forecast', stroke: t.orange, width: 1.5, dash: [6, 4], points: { show: false } },
        ],
      }, [pc.x, mLog.values, fLog.values]), pc.layerIds, this.onSelect);
      this.charts.push(pchart);
    }
  }

  destroy(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }
}
