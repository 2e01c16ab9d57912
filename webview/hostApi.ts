// Typed channel to the extension host over acquireVsCodeApi(): post(), request() with one reply
// per id (and a timeout, so a lost reply never hangs a button), and the persisted UI state.
import type { HostToWebview, RequestMethod, RequestParams, RequestResult, WebviewToHost } from '../src/shared/protocol';
import { RPC_TIMEOUT_MS, isHostToWebview } from '../src/shared/protocol';

/** UI state that survives hiding the tab (getState/setState); never holds the report itself. */
export interface WebviewState {
  readonly tab: number;
  readonly selectedId: string | null;
  readonly openId: string | null;
  readonly sortKey: string;
  readonly sortDir: 1 | -1;
  readonly severity: string;
  readonly op: string;
  readonly text: string;
  readonly scrollTop: number;
}

export const DEFAULT_STATE: WebviewState = {
  tab: 0, selectedId: null, openId: null, sortKey: 'index', sortDir: 1, severity: 'all', op: 'all', text: '', scrollTop: 0,
};

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

export class HostApi {
  private readonly api = acquireVsCodeApi<WebviewState>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private state: WebviewState;

  constructor(private readonly onMessage: (msg: Exclude<HostToWebview, { type: 'rpc/result' }>) => void) {
    this.state = { ...DEFAULT_STATE, ...(this.api.getState() ?? {}) };
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.receive(e.data));
  }

  getState(): WebviewState {
    return this.state;
  }

  setState(patch: Partial<WebviewState>): void {
    this.state = { ...this.state, ...patch };
    this.api.setState(this.state);
  }

  post(msg: Exclude<WebviewToHost, { type: 'rpc/request' }>): void {
    this.api.postMessage(msg);
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const id = this.nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply from the extension`));
      }, RPC_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.api.postMessage({ type: 'rpc/request', id, method, params } as WebviewToHost);
    });
  }

  private receive(data: unknown): void {
    if (!isHostToWebview(data)) return; // not ours (or malformed): ignore rather than crash the view
    if (data.type !== 'rpc/result') {
      this.onMessage(data);
      return;
    }
    const p = this.pending.get(data.id);
    if (!p) return;
    this.pending.delete(data.id);
    clearTimeout(p.timer);
    if (data.ok) p.resolve(data.result);
    else p.reject(new Error(data.error));
  }
}
