/** Columns of one kind of samples over time, as the series API returns them. */
export interface Columns {
  ts: number[];
  values: Record<string, (number | null)[]>;
}

/**
 * At most `maxPoints` rows of `series` that keep every column's peaks and troughs: the rows are cut
 * into consecutive buckets, and each bucket keeps only the rows where some column has its minimum
 * or maximum (a bucket of nulls keeps its first row, so a gap stays a gap). A chart then draws the
 * same envelope as from all rows — an overload or a voltage dip is never averaged away. Pure.
 */
export function downsampleMinMax(series: Columns, maxPoints: number): Columns {
  const n = series.ts.length;
  const names = Object.keys(series.values);
  const rowsPerBucketMax = Math.max(1, 2 * names.length);
  if (n <= maxPoints || maxPoints < rowsPerBucketMax) return series;
  const buckets = Math.floor(maxPoints / rowsPerBucketMax);
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    const chosen = new Set<number>();
    for (const name of names) {
      const col = series.values[name];
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = col[i];
        if (v === null || v === undefined) continue;
        if (lo < 0 || v < col[lo]!) lo = i;
        if (hi < 0 || v > col[hi]!) hi = i;
      }
      if (lo >= 0) chosen.add(lo).add(hi);
    }
    if (chosen.size === 0) chosen.add(start);
    keep.push(...[...chosen].sort((a, b2) => a - b2));
  }
  return {
    ts: keep.map((i) => series.ts[i]),
    values: Object.fromEntries(names.map((name) => [name, keep.map((i) => series.values[name][i] ?? null)])),
  };
}
