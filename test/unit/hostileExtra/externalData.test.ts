// Hostile external-data locations and keys, end to end through `inspect` and `analyze` (every
// format): special files (FIFO, socket, /proc and /sys through symlinked folders), symlink loops
// and chains, odd spellings of a location, offset / length strings, case-variant, duplicate and
// unknown keys, overlapping tensors, the model file itself. The weight "E" feeds a MatMul; the
// canary outside the model folder must never show up in any output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DataType } from '../../../src/core/onnx/model';
import type { ExternalSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { f32, graph, inspectInProcess, model, sweep, tempDir, writeModelFile } from './harness';

const CANARY = 'CANARY-SECRET-0123456789abcdef-t';
const VALUES = Array.from({ length: 16 }, (_, i) => (i - 7.5) / 10);

interface Layout {
  readonly root: string;
  readonly dir: string;
}

interface Case {
  readonly name: string;
  /** Files and links to create in the model folder (`dir`) or next to it (`root`). */
  readonly setup?: (l: Layout) => void | Promise<Server | void>;
  readonly external: ExternalSpec;
  readonly dims?: readonly number[];
  /** Tensors besides E (e.g. a second one overlapping it). */
  readonly more?: readonly TensorSpec[];
  /** undefined: E must be read fine; else E is refused and the message matches. */
  readonly refused?: RegExp;
  /** A model / host warning that must be present. */
  readonly warning?: RegExp;
  /** E is read but its values are not VALUES (the model's own bytes). */
  readonly anyValues?: boolean;
}

const weights = (l: Layout, name = 'w.bin', bytes = f32(VALUES)): void => writeFileSync(join(l.dir, name), bytes);
const ext = (location: string, extra?: ExternalSpec['extra'], offset?: number, length?: number): ExternalSpec => ({ location, ...(offset !== undefined ? { offset } : {}), ...(length !== undefined ? { length } : {}), ...(extra ? { extra } : {}) });

const CASES: Case[] = [
  { name: 'plain control', setup: (l) => weights(l), external: ext('w.bin') },
  { name: './w.bin', setup: (l) => weights(l), external: ext('./w.bin') },
  { name: 'sub//w.bin (doubled separator)', setup: (l) => { mkdirSync(join(l.dir, 'sub')); weights(l, 'sub/w.bin'); }, external: ext('sub//w.bin') },
  { name: 'trailing slash w.bin/', setup: (l) => weights(l), external: ext('w.bin/'), refused: /directory|separator|trailing/i },
  { name: 'FIFO (open must not block)', setup: (l) => { execFileSync('mkfifo', [join(l.dir, 'w.bin')]); }, external: ext('w.bin'), refused: /not a regular file|FIFO/i },
  {
    name: 'unix socket',
    setup: (l) => new Promise<Server>((resolve) => { const s = createServer(); s.listen(join(l.dir, 'w.bin'), () => resolve(s)); }),
    external: ext('w.bin'),
    refused: /not a regular file|socket/i,
  },
  { name: '/proc through a symlinked folder', setup: (l) => symlinkSync('/proc/self', join(l.dir, 'p')), external: ext('p/environ'), refused: /outside the model folder/ },
  { name: '/sys through a symlinked folder', setup: (l) => symlinkSync('/sys/kernel', join(l.dir, 's')), external: ext('s/mm/w.bin'), refused: /outside the model folder|not found|does not exist/ },
  { name: '/dev/zero through a symlinked folder', setup: (l) => symlinkSync('/dev', join(l.dir, 'd')), external: ext('d/zero'), refused: /outside the model folder/ },
  { name: 'symlink loop as the file', setup: (l) => { symlinkSync('b.bin', join(l.dir, 'a.bin')); symlinkSync('a.bin', join(l.dir, 'b.bin')); }, external: ext('a.bin'), refused: /symbolic link/ },
  { name: 'symlink loop as a folder', setup: (l) => { symlinkSync('lb', join(l.dir, 'la')); symlinkSync('la', join(l.dir, 'lb')); }, external: ext('la/w.bin'), refused: /does not exist|symbolic links|loop|ELOOP/i },
  { name: 'symlinked folder chain ending inside', setup: (l) => { mkdirSync(join(l.dir, 'real')); weights(l, 'real/w.bin'); symlinkSync('real', join(l.dir, 'l1')); symlinkSync('l1', join(l.dir, 'l2')); }, external: ext('l2/w.bin') },
  { name: 'symlinked folder chain ending outside', setup: (l) => { symlinkSync('../outside', join(l.dir, 'l1')); symlinkSync('l1', join(l.dir, 'l2')); }, external: ext('l2/canary.bin'), refused: /outside the model folder/ },
  { name: 'file symlink chain ending inside', setup: (l) => { weights(l); symlinkSync('w.bin', join(l.dir, 'l1.bin')); symlinkSync('l1.bin', join(l.dir, 'l2.bin')); }, external: ext('l2.bin'), refused: /symbolic link/ },
  { name: 'NFD file, NFC location (no normalization)', setup: (l) => weights(l, 'we\u0301.bin'), external: ext('w\u00e9.bin'), refused: /not found/ },
  { name: 'location longer than PATH_MAX', setup: (l) => weights(l), external: ext(`${'a/'.repeat(3000)}w.bin`), refused: /not found|does not exist|too long/i },
  { name: 'one component longer than NAME_MAX', setup: (l) => weights(l), external: ext(`${'n'.repeat(5000)}.bin`), refused: /not found|too long/i },
  { name: '1 MiB location', setup: (l) => weights(l), external: ext(`${'\u202e<script>'.repeat(100_000)}.bin`), refused: /not found|too long/i },
  ...['+4', ' 4', '4 ', '0x10', '1e3', '4.0', '-0', '99999999999999999999', '', '٤', '0b1', 'Infinity', 'NaN'].flatMap((v): Case[] => [
    { name: `offset ${JSON.stringify(v)}`, setup: (l) => weights(l), external: ext('w.bin', [{ key: 'offset', value: v }]), refused: /offset .*invalid/ },
    { name: `length ${JSON.stringify(v)}`, setup: (l) => weights(l), external: ext('w.bin', [{ key: 'length', value: v }]), refused: /length .*invalid/ },
  ]),
  { name: 'offset "00" and length "064" (leading zeros are decimal)', setup: (l) => weights(l), external: ext('w.bin', [{ key: 'offset', value: '00' }, { key: 'length', value: '064' }]) },
  { name: 'case-variant key "Location"', setup: (l) => weights(l), external: { location: undefined as unknown as string, extra: [{ key: 'Location', value: 'w.bin' }] }, refused: /no "location"|location is empty/, warning: /unknown external_data key "Location"/ },
  { name: 'duplicate location keys (second outside)', setup: (l) => weights(l), external: ext('w.bin', [{ key: 'location', value: '../outside/canary.bin' }]), refused: /\.\./ },
  { name: 'duplicate location keys (second inside)', setup: (l) => { weights(l, 'bad.bin', new Uint8Array(3)); weights(l); }, external: ext('bad.bin', [{ key: 'location', value: 'w.bin' }]) },
  { name: 'basepath key pointing outside', setup: (l) => weights(l), external: ext('w.bin', [{ key: 'basepath', value: '/' }]), warning: /basepath/ },
  { name: 'checksum present', setup: (l) => weights(l), external: { location: 'w.bin', checksum: 'deadbeef'.repeat(5) }, warning: /checksum/ },
  { name: 'the model file itself as data', external: ext('model.onnx', undefined, 0, 64), warning: /model file itself/, anyValues: true },
  { name: 'the model file itself, rest of file (length mismatch)', external: ext('model.onnx'), refused: /expect 64 bytes|mismatch|dims/ },
  {
    name: 'two tensors overlapping',
    setup: (l) => weights(l, 'w.bin', f32([...VALUES, ...VALUES])),
    external: ext('w.bin', undefined, 0, 64),
    more: [{ name: 'E2', dataType: DataType.FLOAT, dims: [4, 4], external: ext('w.bin', undefined, 32, 64) }],
    warning: /overlap/i,
  },
  {
    name: 'length to EOF on a huge sparse file (dims too small)',
    setup: (l) => { weights(l); truncateSync(join(l.dir, 'w.bin'), 2 ** 40); },
    external: ext('w.bin'),
    refused: /expect 64 bytes|mismatch/,
  },
  {
    name: 'huge sparse file, honest 4 GiB + 64 offset',
    setup: (l) => { weights(l); truncateSync(join(l.dir, 'w.bin'), 2 ** 32 + 64); },
    external: ext('w.bin', undefined, 2 ** 32, 64),
  },
];

for (const c of CASES) {
  test(`external data: ${c.name}`, { timeout: 180_000 }, async () => {
    const t = tempDir();
    const l: Layout = { root: t.dir, dir: join(t.dir, 'm') };
    mkdirSync(l.dir);
    mkdirSync(join(l.root, 'outside'));
    writeFileSync(join(l.root, 'outside', 'canary.bin'), `${CANARY}${CANARY}`);
    let server: Server | void = undefined;
    try {
      server = await c.setup?.(l);
      const E: TensorSpec = { name: 'E', dataType: DataType.FLOAT, dims: c.dims ?? [4, 4], external: c.external };
      const path = writeModelFile(l.dir, model(graph([{ opType: 'MatMul', inputs: ['x', 'E'], outputs: ['h'] }, { opType: 'MatMul', inputs: ['h', 'E2'], outputs: ['y'] }], [E, ...(c.more ?? [{ name: 'E2', dataType: DataType.FLOAT, dims: [4, 4], raw: f32(VALUES) }])])));
      const r = await sweep(path, c.name);
      const all = [r.inspect.stdout, r.inspect.stderr, ...Object.values(r.analyze).flatMap((a) => [a.stdout, a.stderr])].join('\n');
      assert.ok(!all.includes(CANARY.slice(0, 16)), 'the canary never shows');
      for (const [format, run] of Object.entries(r.analyze)) assert.notEqual(run.code, 2, `${format}: one refused tensor must not refuse the model: ${run.stderr}`);
      const rows = JSON.parse(inspectInProcess([path, '--json']).stdout) as { tensors: { name: string; refusal?: { rule: string; message: string } }[]; warnings: { message: string }[] };
      const row = rows.tensors.find((x) => x.name === 'E');
      assert.ok(row, 'E listed');
      const tensors = (r.report?.tensors ?? []) as { name: string; skipped: string | null }[];
      const layers = (r.report?.layers ?? []) as { weight: string; stats: { mean: number | null } | null }[];
      if (c.refused === undefined) {
        assert.equal(row.refusal, undefined, `E must be read: ${row.refusal?.message}`);
        const layer = layers.find((x) => x.weight === 'E');
        assert.ok(layer?.stats?.mean !== null && layer?.stats?.mean !== undefined, 'E has statistics');
        if (c.anyValues !== true) assert.ok(Math.abs((layer.stats.mean as number) - 0) < 1e-6, `E mean ${layer.stats.mean}`);
      } else {
        assert.ok(row.refusal, 'E refused by inspect');
        assert.match(row.refusal.message, c.refused);
        assert.match(row.refusal.message, /"E"|E\b/, 'the message names the tensor');
        assert.ok(row.refusal.message.length < 2000, `message length ${row.refusal.message.length}`);
        const inReport = [...tensors.filter((x) => x.name === 'E').map((x) => x.skipped ?? ''), ...((r.report?.findings ?? []) as { tensor: string | null; message: string }[]).filter((f) => f.tensor === 'E').map((f) => f.message)];
        assert.ok(inReport.some((m) => c.refused?.test(m)), `the report names E's refusal: ${JSON.stringify(inReport).slice(0, 500)}`);
      }
      if (c.warning !== undefined) assert.ok(rows.warnings.some((w) => c.warning?.test(w.message)) || rows.tensors.some((x) => (x as { warnings?: string[] }).warnings?.some((w) => c.warning?.test(w))), `warning ${c.warning}: ${JSON.stringify(rows.warnings).slice(0, 600)}`);
    } finally {
      server?.close();
      t.done();
    }
  });
}
