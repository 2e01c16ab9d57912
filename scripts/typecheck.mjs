// Type-checks every layer with its own tsconfig (each layer sees only the globals it may use).
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const PROJECTS = ['src/core', 'src/shared', 'src/node', 'src/cli', 'src/vscode', 'webview', 'test'];
const hasTs = (dir) => existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.ts') && !String(f).endsWith('.d.ts'));
let failed = false;
for (const p of PROJECTS) {
  if (!hasTs(p)) continue;
  const r = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', p, '--noEmit'], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`typecheck failed in ${p}`); failed = true; }
}
process.exit(failed ? 1 : 0);
