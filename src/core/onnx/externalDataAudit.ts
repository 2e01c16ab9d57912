import { externalLocationComponents } from './externalLocation';
import type { TensorRef } from './model';

/** One tensor's byte range in an external data file. */
export interface ExternalRegion {
  readonly tensor: string;
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** A byte range of a data file (half-open: `offset` to `offset + length`). */
export interface ByteRegion {
  readonly offset: number;
  readonly length: number;
}

export interface ExternalFileAudit {
  /** Normalized location (components joined by `/`) of the first tensor naming the file. */
  readonly location: string;
  readonly size: number | undefined;
  readonly regions: readonly ExternalRegion[];
  /** Byte ranges no tensor references (only when the size is known), in file order. */
  readonly unreferenced: readonly ByteRegion[];
}

/** Two tensors whose byte ranges intersect; `offset` / `length` is the shared range. */
export interface ExternalOverlap {
  readonly a: ExternalRegion;
  readonly b: ExternalRegion;
  readonly offset: number;
  readonly length: number;
}

export interface ExternalDataAudit {
  readonly files: readonly ExternalFileAudit[];
  /**
   * Pairs of tensors whose byte ranges intersect (a crafted offset can hide data this way): every
   * pair, in file order of the later region, up to `maxOverlaps` of them.
   */
  readonly overlaps: readonly ExternalOverlap[];
  /** Number of overlapping pairs in all (`overlaps.length` plus those past the cap). */
  readonly overlapCount: number;
  /** Tensors whose offset is not a multiple of `alignment` (cannot be memory-mapped as is). */
  readonly unaligned: readonly ExternalRegion[];
}

/**
 * What the host knows about a data file: its size, or its size and an identity that is the same
 * for two spellings of one file (`w.bin` and `sub/../w.bin` never reach here, but a symlinked
 * folder can alias a file). Undefined when the file could not be opened.
 */
export type ExternalFileInfo = number | { readonly size: number; readonly identity?: string } | undefined;

export interface AuditOptions {
  /** Offsets that are not a multiple of this are reported as unaligned (default 4096). */
  readonly alignment?: number;
  /** Overlapping pairs listed at most (default 100; `overlapCount` counts them all). */
  readonly maxOverlaps?: number;
}

/** Default cap on the overlapping pairs listed. */
export const MAX_LISTED_OVERLAPS = 100;

/** Largest alignment writers pad to (onnx `convert_model_to_external_data`: 64 KiB allocation granularity). */
const MAX_PADDING = 65536;
const PAGE = 4096;

/**
 * Whether an unreferenced range looks like alignment padding a writer inserted before an aligned
 * tensor: shorter than 64 KiB and ending on a 4 KiB boundary (onnx pads to 4 KiB / 64 KiB; the end
 * of the file is never padding).
 */
export function isAlignmentPadding(gap: ByteRegion, fileSize: number | undefined): boolean {
  const end = gap.offset + gap.length;
  return gap.length < MAX_PADDING && end % PAGE === 0 && (fileSize === undefined || end < fileSize);
}

/**
 * Audits the external-data layout of a model: per data file, which regions tensors use, which
 * bytes nobody references, which tensors overlap, and which offsets are not aligned.
 * `fileInfo` returns a data file's size (and identity; undefined when it could not be opened),
 * called once per location. Tensors without a known length use the rest of the file.
 * O(n log n) in the number of tensors plus the pairs listed.
 */
export function auditExternalData(tensors: readonly TensorRef[], fileInfo: (location: string) => ExternalFileInfo, options: AuditOptions = {}): ExternalDataAudit {
  const alignment = options.alignment ?? PAGE;
  const maxOverlaps = options.maxOverlaps ?? MAX_LISTED_OVERLAPS;
  const infoByKey = new Map<string, { size: number | undefined; identity: string }>();
  const byFile = new Map<string, { location: string; size: number | undefined; regions: ExternalRegion[] }>();
  for (const t of tensors) {
    const s = t.storage;
    if (s.kind !== 'external' || s.location === '') continue;
    const key = externalLocationComponents(s.location).join('/');
    let info = infoByKey.get(key);
    if (info === undefined) {
      const got = fileInfo(s.location);
      info = typeof got === 'object' ? { size: got.size, identity: got.identity !== undefined ? `#${got.identity}` : `/${key}` } : { size: got, identity: `/${key}` };
      infoByKey.set(key, info);
    }
    let f = byFile.get(info.identity);
    if (f === undefined) {
      f = { location: key, size: info.size, regions: [] };
      byFile.set(info.identity, f);
    }
    const length = s.length ?? Math.max(0, (f.size ?? s.offset) - s.offset);
    f.regions.push({ tensor: t.name, location: f.location, offset: s.offset, length });
  }
  const files: ExternalFileAudit[] = [];
  const overlaps: ExternalOverlap[] = [];
  let overlapCount = 0;
  const unaligned: ExternalRegion[] = [];
  for (const f of byFile.values()) {
    const sorted = [...f.regions].sort((x, y) => x.offset - y.offset || x.length - y.length);
    const unreferenced: ByteRegion[] = [];
    let cursor = 0;
    // Earlier regions still reaching past the current offset, as a min-heap on their end.
    const active = new EndHeap();
    for (const r of sorted) {
      if (r.offset % alignment !== 0) unaligned.push(r);
      if (r.length === 0) continue;
      while (active.size > 0 && active.minEnd() <= r.offset) active.pop();
      if (active.size > 0) {
        overlapCount += active.size;
        if (overlaps.length < maxOverlaps) {
          const earlier = [...active.items()].sort((x, y) => x.offset - y.offset || x.length - y.length);
          for (const a of earlier) {
            if (overlaps.length >= maxOverlaps) break;
            overlaps.push({ a, b: r, offset: r.offset, length: Math.min(a.offset + a.length, r.offset + r.length) - r.offset });
          }
        }
      }
      active.push(r);
      if (r.offset > cursor) unreferenced.push({ offset: cursor, length: r.offset - cursor });
      cursor = Math.max(cursor, r.offset + r.length);
    }
    if (f.size !== undefined && f.size > cursor) unreferenced.push({ offset: cursor, length: f.size - cursor });
    files.push({ location: f.location, size: f.size, regions: sorted, unreferenced });
  }
  return { files, overlaps, overlapCount, unaligned };
}

/** A binary min-heap of regions keyed on their end offset. */
class EndHeap {
  private readonly heap: ExternalRegion[] = [];

  get size(): number {
    return this.heap.length;
  }

  items(): readonly ExternalRegion[] {
    return this.heap;
  }

  minEnd(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.offset + top.length;
  }

  push(r: ExternalRegion): void {
    const h = this.heap;
    h.push(r);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (end(h[p] as ExternalRegion) <= end(r)) break;
      h[i] = h[p] as ExternalRegion;
      i = p;
    }
    h[i] = r;
  }

  pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && end(h[l + 1] as ExternalRegion) < end(h[l] as ExternalRegion) ? l + 1 : l;
      if (end(h[c] as ExternalRegion) >= end(last)) break;
      h[i] = h[c] as ExternalRegion;
      i = c;
    }
    h[i] = last;
  }
}

const end = (r: ExternalRegion): number => r.offset + r.length;
