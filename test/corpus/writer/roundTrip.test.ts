// Corpus round trip of the writer: every corpus model (torch exports, real third-party models and
// the ONNX backend test models) goes parse → specFromModel → writeModel → parse and must come back
// with the same structure and bit-identical tensor bytes. Models the reader rejects are skipped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, type ExternalDataHost } from '../../../src/core/host';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { specFromModel } from '../../../src/core/onnx/writer/specFromModel';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { corpusPath, corpusTestOptions, HAVE_CORPUS } from '../../support/corpus';
import { assertSameModel } from '../../unit/writer/roundTripSupport';

function onnxFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(onnxFiles(p));
    else if (name.endsWith('.onnx')) out.push(p);
  }
  return out;
}

function roundTrip(file: string): { ok: boolean; bytes: number; identical: boolean } {
  const bytes = new Uint8Array(readFileSync(file));
  const external: ExternalDataHost = createExternalDataHost(file);
  const ctx = { model: bytesSource(bytes), external };
  let model;
  try {
    model = parseModel(ctx.model);
  } catch {
    return { ok: false, bytes: 0, identical: false };
  }
  const again = encodeModel(specFromModel(model, ctx));
  const actx = { model: bytesSource(again), external };
  const n = assertSameModel(model, ctx, parseModel(actx.model), actx, file);
  return { ok: true, bytes: n, identical: Buffer.from(again).equals(Buffer.from(bytes)) };
}

describe('writer round trip over the corpus', corpusTestOptions, () => {
  for (const group of ['torch', 'third-party', 'onnx-node-tests']) {
    test(group, () => {
      const files = HAVE_CORPUS ? onnxFiles(corpusPath(group)) : [];
      let done = 0;
      let tensorBytes = 0;
      let identical = 0;
      for (const f of files) {
        const r = roundTrip(f);
        if (r.ok) done++;
        if (r.identical) identical++;
        tensorBytes += r.bytes;
      }
      console.log(`# ${group}: ${done}/${files.length} models round-tripped (${identical} byte-identical files), ${tensorBytes} tensor bytes identical`);
      assert.ok(files.length > 0);
      assert.equal(done, files.length, 'every corpus model parses');
    });
  }
});
