import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { MessageWriter, varintSize } from '../../../src/core/protobuf/wireWriter';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('varints match the protobuf encoding, including 64-bit and negative values', () => {
  const cases: [number | bigint, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31, '8080808008'],
    [2 ** 32, '808080801' + '0'],
    [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f'],
    [-1, 'ffffffffffffffffff01'],
    [-2, 'feffffffffffffffff01'],
    [2n ** 64n - 1n, 'ffffffffffffffffff01'],
  ];
  for (const [v, want] of cases) {
    const bytes = new MessageWriter().varint(1, v).encode();
    assert.equal(hex(bytes), '08' + want, `varint ${v}`);
    if (typeof v === 'number' && v >= 0) assert.equal(varintSize(v), want.length / 2);
    // protobufjs agrees on the decoded value.
    const r = protobuf.Reader.create(bytes);
    r.uint32();
    assert.equal(BigInt.asUintN(64, BigInt(r.uint64().toString())), BigInt.asUintN(64, BigInt(v)));
  }
});

test('fixed-width fields and strings are little-endian and length-prefixed', () => {
  const bytes = new MessageWriter().float(2, 1.5).double(3, -2).fixed32(4, 0x7fc00001).fixed64(5, 1n).string(6, 'hé').encode();
  assert.equal(hex(bytes), '150000c03f' + '19' + '00000000000000c0' + '250100c07f' + '290100000000000000' + '3203' + '68c3a9');
  assert.throws(() => new MessageWriter().varint(0, 1), /field number/);
  assert.throws(() => new MessageWriter().varint(1, 2 ** 60), /safe integer/);
});

test('nested messages get the right length prefix, however deep, and encode equals emit', () => {
  const leaf = new MessageWriter().string(1, 'x'.repeat(200));
  const mid = new MessageWriter().varint(1, 7).message(2, leaf).bytes(3, new Uint8Array(70000).fill(9));
  const top = new MessageWriter().message(1, mid).varint(2, 5);
  const bytes = top.encode();
  assert.equal(bytes.length, top.byteLength);
  const r = protobuf.Reader.create(bytes);
  assert.equal(r.uint32(), (1 << 3) | 2);
  const midLen = r.uint32();
  assert.equal(midLen, mid.byteLength);
  const midEnd = r.pos + midLen;
  assert.equal(r.uint32(), 8);
  assert.equal(r.uint32(), 7);
  assert.equal(r.uint32(), 18);
  const leafBytes = r.bytes();
  assert.equal(leafBytes.length, 203);
  assert.equal(r.uint32(), 26);
  const big = r.bytes();
  assert.equal(big.length, 70000);
  assert.ok(big.every((b) => b === 9));
  assert.equal(r.pos, midEnd);
  assert.equal(r.uint32(), 16);
  assert.equal(r.uint32(), 5);
  assert.equal(r.pos, bytes.length);
  assert.throws(() => top.varint(3, 1), /after its size/);
});

test('lazy payloads are pulled only while emitting, streamed without copies, and checked', () => {
  let pulled = 0;
  const chunk = new Uint8Array(1 << 20).fill(0xab);
  const payload = {
    byteLength: 5 * chunk.length,
    *chunks() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield chunk;
      }
    },
  };
  const m = new MessageWriter().string(8, 'w').lazyBytes(9, payload);
  assert.equal(pulled, 0);
  assert.equal(m.byteLength, 3 + 1 + 4 + 5 * chunk.length);
  const seen: Uint8Array[] = [];
  const total = m.emit((c) => seen.push(c));
  assert.equal(total, m.byteLength);
  assert.equal(pulled, 5);
  assert.equal(seen.filter((c) => c === chunk).length, 5, 'big chunks are passed through, not copied');
  assert.equal(seen.reduce((a, c) => a + c.length, 0), total);

  const short = new MessageWriter().lazyBytes(9, { byteLength: 10, chunks: () => [new Uint8Array(4)] });
  assert.throws(() => short.emit(() => {}), /produced 4 bytes, declared 10/);
  const long = new MessageWriter().lazyBytes(9, { byteLength: 2, chunks: () => [new Uint8Array(4)] });
  assert.throws(() => long.emit(() => {}), /declared 2/);
});

test('packed repeated fields decode as packed lists', () => {
  const bytes = new MessageWriter().packedVarints(1, [1, 300, -1]).packedFloats(2, [0.5, -1]).packedDoubles(3, [1e300]).encode();
  const Msg = new protobuf.Type('M')
    .add(new protobuf.Field('a', 1, 'int64', 'repeated'))
    .add(new protobuf.Field('b', 2, 'float', 'repeated'))
    .add(new protobuf.Field('c', 3, 'double', 'repeated'));
  const o = Msg.toObject(Msg.decode(bytes), { longs: Number }) as { a: number[]; b: number[]; c: number[] };
  assert.deepEqual(o, { a: [1, 300, -1], b: [0.5, -1], c: [1e300] });
});
