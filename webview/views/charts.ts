// Charts with uPlot: small (≈50 KB), fast on 10k points (canvas, one pass), no eval / inline
// styles it cannot set through the CSSOM, so it runs under our strict CSP. Colours come from the
// --vscode-* theme variables, read at draw time so a theme switch redraws correctly.
import uPlot from 'uplot';
import type { AlignedData, Options } from 'uplot';
import { num } from '../format';

/** Reads a theme colour (a --vscode-* variable) with a fallback for pages that lack it. */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export interface ChartTheme {
  readonly fg: string;
  readonly grid: string;
  readonly font: string;
  readonly blue: string;
  readonly orange: string;
  readonly green: string;
  readonly red: string;
  readonly yellow: string;
  readonly purple: string;
}

export function chartTheme(): ChartTheme {
  const family = themeColor('--vscode-font-family', 'sans-serif');
  return {
    fg: themeColor('--vscode-foreground', '#808080'),
    grid: themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)'),
    font: `11px ${family}`,
    blue: themeColor('--vscode-charts-blue', '#3794ff'),
    orange: themeColor('--vscode-charts-orange', '#d18616'),
    green: themeColor('--vscode-charts-green', '#89d185'),
    red: themeColor('--vscode-charts-red', '#f14c4c'),
    yellow: themeColor('--vscode-charts-yellow', '#cca700'),
    purple: themeColor('--vscode-charts-purple', '#b180d7'),
  };
}

/** rgba() of a hex/rgb colour with alpha, for fills under a theme colour. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})/i.exec(color);
  if (m) {
    const n = parseInt(m[1]!, 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
  }
  const r = /^rgba?\(([^)]+)\)/.exec(color);
  if (r) {
    const [a, b, c] = r[1]!.split(',').map((x) => x.trim());
    return `rgba(${a},${b},${c},${alpha})`;
  }
  return color;
}

export function axis(t: ChartTheme, label: string | null, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: t.fg,
    font: t.font,
    labelFont: t.font,
    label: label ?? undefined,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1 },
    ...extra,
  };
}

// Log charts plot log10(value) on a linear scale: uPlot's own log scale (distr 3) hangs on ranges
// like 1e-23…10 (a vanishing forecast), and decade ticks are all we want anyway.

export interface LogSeries {
  /** log10 of each value; exact zeros sit on `zeroAt`; negative / non-finite / null are gaps. */
  readonly values: (number | null)[];
  /** The axis floor standing for 0 (two decades below the smallest positive value), or null. */
  readonly zeroAt: number | null;
}

/** log10 of the series; zeros (a dead layer, a vanished signal) are drawn on a floor labelled 0. */
export function log10Series(values: readonly (number | null)[]): LogSeries {
  const pos = values.filter((v): v is number => v != null && v > 0 && Number.isFinite(v)).map(Math.log10);
  const hasZero = values.some((v) => v === 0);
  const zeroAt = hasZero ? Math.floor(Math.min(0, ...pos)) - 2 : null;
  return {
    values: values.map((v) => (v != null && v > 0 && Number.isFinite(v) ? Math.log10(v) : v === 0 ? zeroAt : null)),
    zeroAt,
  };
}

/** The [min, max] of a log10 axis covering the series and the extra decades given (min = the zero floor if any). */
export function logRange(series: readonly LogSeries[], ...extra: number[]): [number, number] {
  const xs = [...series.flatMap((s) => s.values.filter((v): v is number => v != null)), ...extra];
  const floors = series.map((s) => s.zeroAt).filter((z): z is number => z != null);
  const lo = floors.length ? Math.min(...floors) : Math.floor(Math.min(...xs) - 0.25);
  return [lo, Math.ceil(Math.max(...xs) + 0.25)];
}

/** A y axis in log10 units labelled with the values (0.01, 0.1, 1, 10, 1e-12 …; `0` on the zero floor). */
export function logAxis(t: ChartTheme, label: string, zeroAt: number | null = null): uPlot.Axis {
  return axis(t, label, {
    size: 60,
    // Whole decades from the bottom (the zero floor, when there is one) up, at most ~6 labels.
    splits: (_u: uPlot, _i: number, min: number, max: number) => {
      const step = Math.max(1, Math.ceil((max - min) / 6));
      const out: number[] = [];
      for (let v = Math.ceil(min - 1e-9); v <= max + 1e-9; v += step) out.push(v);
      return out;
    },
    values: (_u: uPlot, splits: number[]) => splits.map((v) => (zeroAt != null && Math.abs(v - zeroAt) < 1e-9 ? '0' : Math.abs(v) <= 3 ? num(10 ** v, 2) : `1e${v}`)),
  });
}

/** Integer steps for layer-index / depth axes. */
export const INDEX_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];

/** A uPlot in `parent` that follows the parent's width. */
export class Chart {
  private plot: uPlot | null = null;
  private readonly observer: ResizeObserver;

  constructor(private readonly parent: HTMLElement, private readonly height: number) {
    this.observer = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: this.height });
    });
    this.observer.observe(parent);
  }

  private width(): number {
    return Math.max(240, Math.floor(this.parent.clientWidth));
  }

  draw(opts: Omit<Options, 'width' | 'height'>, data: AlignedData): uPlot {
    this.destroy();
    this.plot = new uPlot({ ...opts, width: this.width(), height: this.height } as Options, data, this.parent);
    return this.plot;
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
