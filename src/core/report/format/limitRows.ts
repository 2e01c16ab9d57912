/**
 * At most `max` items for a size-limited output (a GitHub comment holds 65 536 characters, a job
 * summary 1 MiB): the `important` ones first, then the rest, each kept in report order. Returns
 * the kept items in report order and how many were left out.
 */
export function limitRows<T>(items: readonly T[], max: number, important: (item: T) => boolean): { rows: T[]; omitted: number } {
  if (items.length <= max) return { rows: [...items], omitted: 0 };
  const keep = new Set<number>();
  items.forEach((item, i) => {
    if (keep.size < max && important(item)) keep.add(i);
  });
  for (let i = 0; i < items.length && keep.size < max; i++) keep.add(i);
  return { rows: items.filter((_, i) => keep.has(i)), omitted: items.length - keep.size };
}
