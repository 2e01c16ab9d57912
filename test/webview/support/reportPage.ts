// Reading the rendered report back out of the page (visible table rows, numbers in cells), and a
// host simulator that answers every rpc/request like the extension would.
import type { Page } from 'playwright-core';
import type { Report } from '../../../src/core/report/reportModel';
import type { HostToWebview, ReportSettings, WebviewToHost } from '../../../src/shared/protocol';
import type { AnalysisSettings } from '../../../src/vscode/config';
import { toFineTuneOptions } from '../../../src/vscode/analysisOptions';
import type { Harness, HarnessOptions } from './webviewHarness';
import { openWebview } from './webviewHarness';
import { DEFAULT_SETTINGS } from './screenshot';
import { analyzeFile } from './testReports';

export interface VisibleRow {
  readonly id: string;
  readonly y: number;
  readonly selected: boolean;
  readonly cells: Record<string, string>;
}

export async function visibleRows(page: Page): Promise<VisibleRow[]> {
  const rows = await page.$$eval('.vt-body .vt-row:not([hidden])', (els) => els.map((r) => {
    const el = r as HTMLElement;
    const cells: Record<string, string> = {};
    for (const c of Array.from(el.children)) {
      const key = Array.from(c.classList).find((k) => k.startsWith('col-'));
      if (key) cells[key.slice(4)] = c.textContent ?? '';
    }
    return { id: el.dataset.id ?? '', y: Number(/translateY\(([-\d.]+)px\)/.exec(el.style.transform)?.[1] ?? 0), selected: el.classList.contains('selected'), cells };
  }));
  return rows.sort((a, b) => a.y - b.y);
}

/** A number as the table prints it ('1,152', '3.333e-3', '0.08×', '—'). */
export function parseShown(s: string): number | null {
  const t = s.replace(/[,×\s]/g, '');
  if (t === '' || t === '—') return null;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`not a number: ${JSON.stringify(s)}`);
  return v;
}

/** True when `shown` is `actual` to the 3–4 significant digits the view prints. */
export function close(shown: number | null, actual: number | null | undefined, rel = 2e-3): boolean {
  if (actual == null || !Number.isFinite(actual)) return shown == null;
  if (shown == null) return false;
  return Math.abs(shown - actual) <= rel * Math.abs(actual) + 1e-12;
}

export type RpcRequest = Extract<WebviewToHost, { type: 'rpc/request' }>;
export type RpcHandler = (msg: RpcRequest, shown: Report) => { ok: true; result: unknown } | { ok: false; error: string };

export interface ReportView extends Harness {
  readonly report: Report;
  readonly rpc: RpcRequest[];
  /** The report the page shows now (the last report/init or report/update sent). */
  shown(): Report;
}

/**
 * Answers like src/vscode/reportEditorProvider.ts: `fineTune/update` re-analyzes the model the
 * page shows (its `model.path`) with the new options, mapped as the extension maps its settings,
 * and replies with the new fine-tune section and settings; the other requests succeed.
 */
export function hostLikeHandler(settings: ReportSettings): RpcHandler {
  return (msg, shown) => {
    if (msg.method === 'fineTune/update') {
      const p = msg.params as ReportSettings['fineTune'];
      const r = analyzeFile(shown.model.path, { fineTune: toFineTuneOptions({ fineTune: p } as AnalysisSettings) });
      return { ok: true, result: { fineTune: r.fineTune, settings: { ...settings, fineTune: p } } };
    }
    return { ok: true, result: { saved: true, path: '/tmp/out', copied: true, shown: true } };
  };
}

/** Opens the webview, waits for the handshake, sends report/init, answers rpc requests. */
export async function openReport(report: Report, opts: HarnessOptions & { settings?: ReportSettings; handler?: RpcHandler } = {}): Promise<ReportView> {
  const rpc: RpcRequest[] = [];
  const settings = opts.settings ?? DEFAULT_SETTINGS;
  const handler: RpcHandler = opts.handler ?? hostLikeHandler(settings);
  let shown = report;
  const h = await openWebview({
    ...opts,
    onPost: async (msg, hh) => {
      if (msg.type === 'webview/ready') await hh.send({ type: 'report/init', report: shown, settings });
      if (msg.type === 'rpc/request') {
        rpc.push(msg);
        let r: ReturnType<RpcHandler>;
        try {
          r = handler(msg, shown);
        } catch (e) {
          r = { ok: false, error: e instanceof Error ? e.message : String(e) };
        }
        await hh.send((r.ok ? { type: 'rpc/result', id: msg.id, ok: true, result: r.result } : { type: 'rpc/result', id: msg.id, ok: false, error: r.error }) as HostToWebview);
      }
    },
  });
  const send = h.send;
  const tracked = async (msg: HostToWebview): Promise<void> => {
    if (msg.type === 'report/init' || msg.type === 'report/update') shown = msg.report;
    await send(msg);
  };
  await h.waitForPost('webview/ready');
  await h.page.waitForSelector('.vt-body .vt-row');
  return Object.assign(h, { report, rpc, send: tracked, shown: () => shown });
}
