// Builds the hostile corpus's SANDBOX layout (hostile/README.md, "How a test harness should use
// it") in a temp dir: SANDBOX/models/m/ = the case folder with its links recreated,
// SANDBOX/etc/passwd and SANDBOX/outside/canary_secret.bin = the canary.
import { chmodSync, cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { corpusPath } from '../support/corpus';

export interface HostileCase {
  id: string;
  category: string;
  model: string;
  files: { path: string; symlink_to?: string }[];
  expected: { outcome: string; acceptable_outcomes?: string[]; error_mentions_any?: string[]; max_seconds: number; tensor?: string };
  requires_setup?: { op: 'symlink' | 'hardlink'; path: string; target: string; optional?: boolean }[];
  reference?: string;
}

export interface Sandbox {
  readonly root: string;
  readonly modelDir: string;
  readonly modelPath: string;
  readonly canary: Buffer;
  dispose(): void;
}

export function hostileCases(): HostileCase[] {
  const index = JSON.parse(readFileSync(corpusPath('hostile', 'index.json'), 'utf8')) as { cases?: { id: string }[] };
  const ids = (index.cases ?? []).map((c) => c.id);
  const all = ids.length > 0 ? ids : readdirSync(corpusPath('hostile')).filter((n) => !n.startsWith('_') && statSync(corpusPath('hostile', n)).isDirectory());
  return all.map((id) => JSON.parse(readFileSync(corpusPath('hostile', id, 'case.json'), 'utf8')) as HostileCase);
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    if (name.isDirectory()) makeWritable(p);
    else if (!name.isSymbolicLink()) chmodSync(p, 0o644);
  }
}

export function buildSandbox(c: HostileCase): Sandbox {
  const root = mkdtempSync(join(tmpdir(), `onnx-hostile-${c.id}-`));
  const modelDir = join(root, 'models', 'm');
  mkdirSync(dirname(modelDir), { recursive: true });
  cpSync(corpusPath('hostile', c.id), modelDir, { recursive: true, verbatimSymlinks: true });
  makeWritable(modelDir);
  const canary = readFileSync(corpusPath('hostile', '_outside', 'canary_secret.bin'));
  mkdirSync(join(root, 'etc'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'etc', 'passwd'), canary);
  writeFileSync(join(root, 'outside', 'canary_secret.bin'), canary);
  const done = new Set<string>();
  for (const s of c.requires_setup ?? []) {
    if (s.optional) continue;
    const p = join(modelDir, s.path);
    rmSync(p, { force: true, recursive: true });
    if (s.op === 'symlink') symlinkSync(s.target, p);
    else linkSync(join(modelDir, s.target), p);
    done.add(s.path);
  }
  // Links git could not carry are stored as text files naming the target; recreate the rest.
  for (const f of c.files) {
    if (f.symlink_to === undefined || done.has(f.path)) continue;
    const p = join(modelDir, f.path);
    rmSync(p, { force: true, recursive: true });
    symlinkSync(f.symlink_to.replace(/^\.\.\/_outside\//, '../../outside/'), p);
  }
  return { root, modelDir, modelPath: join(modelDir, c.model), canary, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
