// Shared by the unit and corpus round-trip tests: a parsed model reduced to what must survive
// parse → specFromModel → writeModel → parse (byte offsets, which legitimately move, removed),
// and a bit-exact comparison of every tensor's payload bytes.
import assert from 'node:assert/strict';
import type { ByteSource } from '../../../src/core/host';
import type { OnnxModel, TensorRef } from '../../../src/core/onnx/model';
import { collectWeights } from '../../../src/core/onnx/collectWeights';
import type { TensorDataContext } from '../../../src/core/onnx/tensorValues';

/** Drops byte offsets and parent links; storage becomes its kind plus what does not move. */
export function structure(model: OnnxModel): unknown {
  return JSON.parse(
    JSON.stringify({ ...model, fileSize: undefined, warnings: model.warnings.map((w) => w.code) }, (key, value) => {
      if (key === 'parent' || key === 'protoOffset' || key === 'offset') return undefined;
      if (key === 'storage' && value && typeof value === 'object') {
        const s = value as { kind: string; segments?: { packed: boolean; length: number }[] };
        if (s.kind === 'typed') return { ...s, segments: s.segments!.map((g) => ({ packed: g.packed, length: g.length })) };
      }
      return value;
    }),
  );
}

/** The exact bytes that carry a tensor's values (raw range, typed segments, or external range). */
export function payloadBytes(t: TensorRef, model: ByteSource, ctx: TensorDataContext): Uint8Array {
  const s = t.storage;
  switch (s.kind) {
    case 'raw':
      return model.read(s.offset, s.length).slice();
    case 'typed':
      return Buffer.concat(s.segments.map((g) => model.read(g.offset, g.length).slice()));
    case 'external': {
      const f = ctx.external.open(s.location).source;
      return f.read(s.offset, s.length ?? f.size - s.offset).slice();
    }
    case 'inline-values':
      return new Uint8Array(Float64Array.from(s.values).buffer);
    case 'none':
      return new Uint8Array(0);
  }
}

/** Asserts two parsed models have the same structure and bit-identical tensor payloads. */
export function assertSameModel(a: OnnxModel, actx: TensorDataContext, b: OnnxModel, bctx: TensorDataContext, label: string): number {
  assert.deepEqual(structure(b), structure(a), `${label}: structure differs`);
  const wa = collectWeights(a);
  const wb = collectWeights(b);
  assert.equal(wb.length, wa.length, `${label}: weight count`);
  let bytes = 0;
  wa.forEach((w, i) => {
    const pa = payloadBytes(w.tensor, actx.model, actx);
    const pb = payloadBytes(wb[i]!.tensor, bctx.model, bctx);
    assert.ok(Buffer.from(pa).equals(Buffer.from(pb)), `${label}: tensor "${w.name}" bytes differ`);
    bytes += pa.length;
  });
  return bytes;
}
