import * as vscode from 'vscode';

/**
 * The extension's one log, a `LogOutputChannel` (rust-analyzer's `Log` idea): nothing in
 * src/vscode writes to `console`. Errors the user must see go through `showError`, which offers
 * "Show Log" so the stack is one click away but never pushed into a notification.
 */
export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name = 'ONNX Init') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  debug(message: string): void {
    this.channel.debug(message);
  }

  /** Logs the error with its stack (when it has one). */
  error(message: string, error?: unknown): void {
    if (error instanceof Error && error.stack) this.channel.error(`${message}\n${error.stack}`);
    else if (error !== undefined) this.channel.error(`${message}: ${String(error)}`);
    else this.channel.error(message);
  }

  /** Logs and shows one error notification with a "Show Log" action. */
  showError(message: string, error?: unknown): void {
    this.error(message, error);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window.showErrorMessage(message, showLog).then((picked) => {
      if (picked === showLog) this.channel.show(true);
    });
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** The message of an unknown thrown value, without its stack. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
