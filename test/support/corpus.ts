// Locates ../shared/corpus (or $ONNX_INIT_CORPUS). Corpus tests call `corpusOrSkip(t)` and skip
// with a clear message when the folder is absent, so a fresh clone without it still passes
// `npm test` and says exactly what did not run.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = process.env.ONNX_INIT_CORPUS ?? resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const HAVE_CORPUS = existsSync(join(CORPUS_DIR, 'torch', 'index.json'));

/** Message used by every corpus test that skips. */
export const NO_CORPUS_MESSAGE = `shared corpus not found at ${CORPUS_DIR} (set ONNX_INIT_CORPUS); corpus tests skipped`;

/** Options for `describe`/`test` that skip the whole block when the corpus is absent. */
export const corpusTestOptions: { skip: string | false } = { skip: HAVE_CORPUS ? false : NO_CORPUS_MESSAGE };

export function corpusPath(...parts: string[]): string {
  return join(CORPUS_DIR, ...parts);
}

if (!HAVE_CORPUS) {
  console.log(`# ${NO_CORPUS_MESSAGE}`);
}
