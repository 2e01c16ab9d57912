import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ExternalDataError, auditExternalData, bytesSource, checkExternalLocation, checkTensorData, parseTensorProto, tensorValueChunks, type ExternalDataRule, type TensorRef } from '../../../src/core/index';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { cat, fLen, fStr, fVarint, T, tensorProto, u8 } from './pb';

function sandbox(): { root: string; dir: string; model: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), 'onnx-ext-'));
  const dir = join(root, 'models', 'm');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.bin'), 'SECRET-SECRET-SECRET-SECRET-SEC!');
  const model = join(dir, 'model.onnx');
  writeFileSync(model, 'not read by these tests');
  return { root, dir, model, done: () => rmSync(root, { recursive: true, force: true }) };
}

function rejects(host: ReturnType<typeof createExternalDataHost>, location: string, rule: ExternalDataRule, words: RegExp): void {
  assert.throws(() => host.open(location), (e: unknown) => e instanceof ExternalDataError && e.rule === rule && words.test(e.message), `${location} should be refused as ${rule}`);
}

test('lexical rules: empty, absolute (POSIX, Windows, UNC), URLs, .. anywhere, NUL, # tags', () => {
  const cases: [string, ExternalDataRule][] = [
    ['', 'bad-location'], ['/etc/passwd', 'absolute-path'], ['C:\\Windows\\win.ini', 'absolute-path'], ['c:relative', 'absolute-path'],
    ['\\\\evil.invalid\\share\\w.bin', 'absolute-path'], ['file:///etc/passwd', 'absolute-path'], ['https://example.invalid/w.bin', 'absolute-path'],
    ['../../etc/passwd', 'path-traversal'], ['subdir/../../etc/passwd', 'path-traversal'], ['./././../.././../etc/passwd', 'path-traversal'],
    ['..\\..\\etc\\passwd', 'path-traversal'], ['a/b/..', 'path-traversal'], ['weights.bin\0../../etc/passwd', 'bad-location'],
    ['#memory:0x1234', 'bad-location'], ['.', 'not-a-regular-file'], ['./', 'not-a-regular-file'],
  ];
  for (const [loc, rule] of cases) assert.equal(checkExternalLocation(loc)?.rule, rule, JSON.stringify(loc));
  for (const ok of ['w.bin', 'w..bin', 'sub/w.bin', './w.bin', '..%2f..%2fetc%2fpasswd', 'a..', '...']) assert.equal(checkExternalLocation(ok), undefined, ok);
});

test('file-system rules: symlinks, symlinked parents, hard links, directories, devices, missing files', () => {
  const s = sandbox();
  try {
    writeFileSync(join(s.dir, 'w.bin'), new Uint8Array(64));
    mkdirSync(join(s.dir, 'inner'));
    writeFileSync(join(s.dir, 'inner', 'x.bin'), new Uint8Array(8));
    symlinkSync('../../outside/secret.bin', join(s.dir, 'link.bin'));
    symlinkSync('w.bin', join(s.dir, 'inside_link.bin'));
    symlinkSync('../../outside', join(s.dir, 'linkdir'));
    symlinkSync('inner', join(s.dir, 'innerlink'));
    symlinkSync('/dev/zero', join(s.dir, 'zero.bin'));
    linkSync(join(s.root, 'outside', 'secret.bin'), join(s.dir, 'hard.bin'));
    mkdirSync(join(s.dir, 'somedir'));
    execFileSync('mkfifo', [join(s.dir, 'fifo.bin')]);
    const host = createExternalDataHost(s.model);
    assert.equal(host.open('w.bin').source.size, 64);
    assert.equal(host.open('./w.bin').source.size, 64);
    // A symlinked parent that stays inside the folder is fine (weakly_canonical containment).
    assert.equal(host.open('innerlink/x.bin').source.size, 8);
    rejects(host, 'link.bin', 'symlink', /symbolic link/);
    rejects(host, 'inside_link.bin', 'symlink', /symbolic link/);
    rejects(host, 'zero.bin', 'symlink', /symbolic link/);
    rejects(host, 'linkdir/secret.bin', 'outside-model-folder', /outside the model folder/);
    rejects(host, 'hard.bin', 'hard-link', /hard link/);
    rejects(host, 'somedir', 'not-a-regular-file', /directory/);
    rejects(host, 'fifo.bin', 'not-a-regular-file', /not a regular file/);
    rejects(host, 'does_not_exist.bin', 'missing-file', /not found/);
    rejects(host, 'nodir/x.bin', 'missing-file', /not found/);
    rejects(host, '../outside/secret.bin', 'path-traversal', /\.\./);
    host.open('model.onnx');
    assert.match(host.warnings.join('\n'), /model file itself/);
    assert.ok(host.openedPaths.every((p) => p.startsWith(s.dir)), host.openedPaths.join(', '));
    host.close();
  } finally {
    s.done();
  }
});

function externalTensor(location: string, dims: number[], extra: [string, string][] = []): TensorRef {
  const entry = (k: string, v: string) => fLen(T.externalData, fStr(1, k), fStr(2, v));
  return parseTensorProto(bytesSource(u8(cat(tensorProto('ext', 1, dims), entry('location', location), ...extra.map(([k, v]) => entry(k, v)), fVarint(T.dataLocation, 1)))));
}

test('offset / length against the file size and dims; bad key values refused at decode', () => {
  const s = sandbox();
  try {
    const floats = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    writeFileSync(join(s.dir, 'w.bin'), new Uint8Array(floats.buffer));
    const host = createExternalDataHost(s.model);
    const ctx = { model: bytesSource(new Uint8Array(0)), external: host };
    const ok = externalTensor('w.bin', [2], [['offset', '8'], ['length', '8']]);
    assert.equal(checkTensorData(ok, ctx), undefined);
    assert.deepEqual([...tensorValueChunks(ok, ctx)].flatMap((c) => [...c]), [3, 4]);
    assert.equal(checkTensorData(externalTensor('w.bin', [8]), ctx), undefined);
    const rule = (t: TensorRef) => checkTensorData(t, ctx)?.rule;
    assert.equal(rule(externalTensor('w.bin', [2], [['offset', '4096']])), 'external-bad-offset');
    assert.equal(rule(externalTensor('w.bin', [2], [['offset', '28'], ['length', '8']])), 'external-out-of-bounds');
    assert.equal(rule(externalTensor('w.bin', [16])), 'external-length-mismatch');
    assert.equal(rule(externalTensor('w.bin', [16], [['length', '32']])), 'external-length-mismatch');
    assert.equal(rule(externalTensor('w.bin', [2], [['offset', '-8']])), 'external-bad-offset');
    assert.equal(rule(externalTensor('w.bin', [2], [['length', '-1']])), 'external-bad-length');
    assert.equal(rule(externalTensor('w.bin', [2], [['offset', '0x10']])), 'external-bad-offset');
    assert.equal(rule(externalTensor('w.bin', [16], [['length', '6.4e1']])), 'external-bad-length');
    assert.equal(rule(externalTensor('w.bin', [2], [['offset', '9223372036854775800']])), 'external-bad-offset');
    assert.equal(rule(externalTensor('../w.bin', [2])), 'external-path-traversal');
    const unknownKeys = externalTensor('w.bin', [8], [['__class__', 'x'], ['basepath', '/etc']]);
    assert.equal(rule(unknownKeys), undefined);
    assert.match(unknownKeys.warnings.join('\n'), /__class__[\s\S]*basepath/);
    host.close();
  } finally {
    s.done();
  }
});

test('audit: overlapping and unreferenced regions, unaligned offsets', () => {
  const t = (name: string, offset: number, length: number): TensorRef => ({
    name, dataType: 1, dims: [length / 4], elementCount: length / 4, refusal: undefined, warnings: [], protoOffset: 0,
    storage: { kind: 'external', location: './data.bin', offset, length, checksum: undefined },
  });
  const audit = auditExternalData([t('a', 0, 64), t('b', 32, 64), t('c', 4096, 16)], () => 8192);
  assert.equal(audit.files.length, 1);
  assert.equal(audit.files[0]?.location, 'data.bin');
  assert.deepEqual(audit.overlaps.map((o) => [o.a.tensor, o.b.tensor, o.offset, o.length]), [['a', 'b', 32, 32]]);
  assert.deepEqual(audit.files[0]?.unreferenced, [{ offset: 96, length: 4000 }, { offset: 4112, length: 4080 }]);
  assert.deepEqual(audit.unaligned.map((r) => r.tensor), ['b']);
});
