// Completion indexes of Indexed Jobs in upstream's compressed text form ("1,3-5,7"): the form of
// status.completedIndexes, status.failedIndexes and a success policy's succeededIndexes.

/** The indexes a compressed list names, below `limit` (others are ignored, as upstream does). */
export function parseIndexes(text: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    if (part.trim() === '') continue;
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let i = from; i <= to && i < limit; i++) if (i >= 0) out.add(i);
  }
  return out;
}

/** Sorted indexes as a compressed list: runs of three or more become a range, as upstream writes them. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}
