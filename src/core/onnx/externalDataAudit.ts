import { externalLocationComponents } from './externalLocation';
import type { TensorRef } from './model';

/** One tensor's byte range in an external data file. */
export interface ExternalRegion {
  readonly tensor: string;
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

export interface ExternalFileAudit {
  /** Normalized location (components joined by `/`). */
  readonly location: string;
  readonly size: number | undefined;
  readonly regions: readonly ExternalRegion[];
  /** Byte ranges no tensor references (only when the size is known). */
  readonly unreferenced: readonly { readonly offset: number; readonly length: number }[];
}

export interface ExternalDataAudit {
  readonly files: readonly ExternalFileAudit[];
  /** Pairs of tensors whose byte ranges intersect (a crafted offset can hide data this way). */
  readonly overlaps: readonly { readonly a: ExternalRegion; readonly b: ExternalRegion; readonly offset: number; readonly length: number }[];
  /** Tensors whose offset is not a multiple of `alignment` (cannot be memory-mapped as is). */
  readonly unaligned: readonly ExternalRegion[];
}

/**
 * Audits the external-data layout of a model: per data file, which regions tensors use, which
 * bytes nobody references, which tensors overlap, and which offsets are not aligned.
 * `fileSize` returns a data file's size (undefined when it could not be opened). Tensors without
 * a known length use the rest of the file.
 */
export function auditExternalData(tensors: readonly TensorRef[], fileSize: (location: string) => number | undefined, alignment = 4096): ExternalDataAudit {
  const byFile = new Map<string, { size: number | undefined; regions: ExternalRegion[] }>();
  for (const t of tensors) {
    const s = t.storage;
    if (s.kind !== 'external' || s.location === '') continue;
    const key = externalLocationComponents(s.location).join('/');
    let f = byFile.get(key);
    if (f === undefined) {
      f = { size: fileSize(s.location), regions: [] };
      byFile.set(key, f);
    }
    const length = s.length ?? Math.max(0, (f.size ?? s.offset) - s.offset);
    f.regions.push({ tensor: t.name, location: key, offset: s.offset, length });
  }
  const files: ExternalFileAudit[] = [];
  const overlaps: ExternalDataAudit['overlaps'][number][] = [];
  const unaligned: ExternalRegion[] = [];
  for (const [location, f] of byFile) {
    const sorted = [...f.regions].sort((x, y) => x.offset - y.offset || x.length - y.length);
    const unreferenced: { offset: number; length: number }[] = [];
    let cursor = 0;
    let reach: ExternalRegion | undefined;
    for (const r of sorted) {
      if (r.offset % alignment !== 0) unaligned.push(r);
      if (r.length === 0) continue;
      if (r.offset > cursor) unreferenced.push({ offset: cursor, length: r.offset - cursor });
      else if (reach !== undefined && r.offset < cursor) overlaps.push({ a: reach, b: r, offset: r.offset, length: Math.min(cursor, r.offset + r.length) - r.offset });
      if (r.offset + r.length > cursor) {
        cursor = r.offset + r.length;
        reach = r;
      }
    }
    if (f.size !== undefined && f.size > cursor) unreferenced.push({ offset: cursor, length: f.size - cursor });
    files.push({ location, size: f.size, regions: sorted, unreferenced });
  }
  return { files, overlaps, unaligned };
}
