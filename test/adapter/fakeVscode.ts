// A small fake of the `vscode` API surface src/vscode uses, for adapter tests in plain Node
// (installed by ./useFakeVscode.ts). Only behaviour the tests rely on is modelled.
import * as nodePath from 'node:path';

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number, b: number, c: number, d: number) {
    this.start = new Position(a, b);
    this.end = new Position(c, d);
  }
}
export class Selection extends Range {}

export class Uri {
  private raw?: string;
  private constructor(readonly scheme: string, readonly path: string, readonly query = '') {}
  static file(p: string): Uri {
    return new Uri('file', nodePath.resolve(p));
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/[^/]*)?([^?#]*)(?:\?([^#]*))?/i.exec(s);
    const u = m ? new Uri(m[1] as string, m[2] as string, m[3] ?? '') : new Uri('file', s);
    u.raw = s;
    return u;
  }
  static from(c: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(c.scheme, c.path, c.query ?? '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, nodePath.posix.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  with(c: { scheme?: string; path?: string }): Uri {
    return new Uri(c.scheme ?? this.scheme, c.path ?? this.path, this.query);
  }
  toString(): string {
    if (this.raw !== undefined) return this.raw;
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

export class Location {
  constructor(readonly uri: Uri, readonly range: Range) {}
}
export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }
export class DiagnosticRelatedInformation {
  constructor(readonly location: Location, readonly message: string) {}
}
export class Diagnostic {
  source?: string;
  code?: string | { value: string; target: Uri };
  relatedInformation?: DiagnosticRelatedInformation[];
  constructor(readonly range: Range, readonly message: string, readonly severity: DiagnosticSeverity) {}
}

type Listener<T> = (e: T) => unknown;
export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class CancellationError extends Error {}
export enum ConfigurationTarget { Global = 1, Workspace = 2 }
export enum ProgressLocation { Window = 10, Notification = 15 }

/** Test control: the settings `workspace.getConfiguration('onnxInit')` reads, and a change event. */
export const fake = {
  settings: {} as Record<string, unknown>,
  updates: [] as { key: string; value: unknown }[],
  errors: [] as string[],
  posted: [] as unknown[],
  executed: [] as string[],
  /** What the next save dialog returns (undefined = the user cancelled). */
  saveTarget: undefined as Uri | undefined,
  progress: [] as number[],
  configChanged: new EventEmitter<{ affectsConfiguration(s: string): boolean }>(),
  changeSettings(values: Record<string, unknown>): void {
    Object.assign(fake.settings, values);
    fake.configChanged.fire({ affectsConfiguration: (s: string) => s === 'onnxInit' || s.startsWith('onnxInit.') });
  },
};

const disposable = { dispose(): void {} };
const noEvent = (): typeof disposable => disposable;

export class RelativePattern {
  constructor(readonly base: Uri, readonly pattern: string) {}
}
export class TabInputCustom {
  constructor(readonly uri: Uri, readonly viewType: string) {}
}
export class TabInputText {
  constructor(readonly uri: Uri) {}
}
export class MarkdownString {
  supportHtml = false;
  constructor(readonly value: string) {}
}
export class Hover {
  constructor(readonly contents: MarkdownString, readonly range?: Range) {}
}
export class CodeLens {
  constructor(readonly range: Range, readonly command?: unknown) {}
}
export enum TextEditorRevealType { InCenterIfOutsideViewport = 2 }
export const version = '1.139.1-fake';

const registry = new Map<string, (...args: unknown[]) => unknown>();
export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    registry.set(id, fn);
    return { dispose: () => registry.delete(id) };
  },
  executeCommand: async (id: string, ...args: unknown[]): Promise<unknown> => {
    fake.executed.push(id);
    return registry.get(id)?.(...args);
  },
};

export const workspace = {
  registerTextDocumentContentProvider: () => disposable,
  onDidOpenTextDocument: noEvent,
  onDidCloseTextDocument: noEvent,
  createFileSystemWatcher: () => ({ onDidChange: noEvent, onDidCreate: noEvent, onDidDelete: noEvent, dispose(): void {} }),
  isTrusted: true,
  workspaceFolders: [{ uri: Uri.file('/ws') }],
  textDocuments: [] as unknown[],
  getConfiguration: (section: string) => ({
    get: <T>(key: string): T | undefined => fake.settings[`${section}.${key}`] as T | undefined,
    update: async (key: string, value: unknown): Promise<void> => {
      fake.updates.push({ key: `${section}.${key}`, value });
      fake.settings[`${section}.${key}`] = value;
    },
  }),
  onDidChangeConfiguration: fake.configChanged.event,
  onDidGrantWorkspaceTrust: noEvent,
};

const channel = { info() {}, warn() {}, debug() {}, error(m: string) { fake.errors.push(m); }, show() {}, dispose() {} };
export const window = {
  createOutputChannel: () => channel,
  showErrorMessage: async (m: string) => {
    fake.errors.push(m);
    return undefined;
  },
  showWarningMessage: async () => undefined,
  showInformationMessage: async () => undefined,
  showOpenDialog: async () => undefined,
  showSaveDialog: async () => fake.saveTarget,
  registerCustomEditorProvider: () => disposable,
  tabGroups: { activeTabGroup: { activeTab: undefined } },
  activeTextEditor: undefined,
  withProgress: async <T>(_o: unknown, task: (p: { report(v: { increment?: number }): void }, t: { onCancellationRequested(): typeof disposable }) => Promise<T>): Promise<T> =>
    task({ report: (v) => void fake.progress.push(v.increment ?? 0) }, { onCancellationRequested: noEvent }),
};

export const env = { clipboard: { text: '', writeText: async (t: string) => void (env.clipboard.text = t) } };

export const languages = {
  registerHoverProvider: () => disposable,
  registerCodeLensProvider: () => disposable,
  setTextDocumentLanguage: async () => undefined,
  createDiagnosticCollection: () => {
    const m = new Map<string, Diagnostic[]>();
    return {
      set: (u: Uri, d: Diagnostic[]) => m.set(u.toString(), d),
      get: (u: Uri) => m.get(u.toString()),
      delete: (u: Uri) => m.delete(u.toString()),
      clear: () => m.clear(),
      dispose: () => m.clear(),
    };
  },
};

export const l10n = {
  t: (message: string, ...args: unknown[]): string => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])),
};
