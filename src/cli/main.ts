// The `onnx-init` CLI entry: a table of commands, each in src/cli/commands/<name>.ts. Adding a
// command is one line in COMMANDS. Unexpected errors become one line on stderr and exit code 2
// (set ONNX_INIT_DEBUG=1 for the stack trace).
import { sanitizeForTerminal } from '../core/text/sanitize';
import { runInspect } from './commands/inspect';
import { runAnalyze } from './commands/analyze';
import { runCut } from './commands/cut';
import { runProbeCommand } from './commands/probe';

interface Command {
  readonly summary: string;
  run(argv: readonly string[]): number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  analyze: { summary: 'analyze weight initialization: fans, Xavier/He std, defects, fresh vs trained', run: (argv) => runAnalyze(argv) },
  inspect: { summary: 'list tensors, dtypes, shapes and where they are stored', run: runInspect },
  cut: { summary: 'write the backbone up to a tensor (the fine-tune cut) as a new ONNX model', run: runCut },
  probe: { summary: 'run the model with onnxruntime on seeded inputs: measured activation std per layer vs the forecast', run: runProbeCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: onnx-init <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "onnx-init <command> --help" for a command's options.\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`onnx-init: unknown command "${sanitizeForTerminal(name, 60)}"\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`onnx-init: internal error: ${sanitizeForTerminal(e instanceof Error ? e.message : String(e), 500)}\n`);
    if (process.env.ONNX_INIT_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 2;
  },
);
