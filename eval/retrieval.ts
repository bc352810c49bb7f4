/**
 * Ranking metrics for retrieval: a query is scored against gallery items (higher
 * score = more similar); some gallery items are relevant to it. Ties are broken
 * pessimistically (a relevant item tied with an irrelevant one ranks after it), so
 * a constant scorer cannot look good.
 */

export interface RankedQuery {
  /** Score of each gallery item for this query. */
  readonly scores: ArrayLike<number>;
  /** Indices into `scores` of the relevant items (at least one). */
  readonly relevant: readonly number[];
  /** Indices into `scores` to leave out of the ranking (neither relevant nor distractor). */
  readonly ignore?: readonly number[];
}

/** 1-based ranks of the relevant items, ascending. */
export function relevantRanks(q: RankedQuery): number[] {
  if (q.relevant.length === 0) throw new RangeError('a query needs at least one relevant item');
  const relevant = new Set(q.relevant);
  const ignore = new Set(q.ignore ?? []);
  for (const r of relevant) {
    if (!(r >= 0 && r < q.scores.length)) throw new RangeError(`relevant index ${r} outside the gallery`);
    if (ignore.has(r)) throw new RangeError(`item ${r} is both relevant and ignored`);
  }
  const ranks: number[] = [];
  for (const r of relevant) {
    const s = q.scores[r]!;
    let rank = 1;
    for (let j = 0; j < q.scores.length; j++) {
      if (j === r || ignore.has(j)) continue;
      const t = q.scores[j]!;
      // Items scoring higher rank before; an irrelevant item with an equal score does too.
      if (t > s || (t === s && !relevant.has(j)) || Number.isNaN(s)) rank++;
      else if (t === s && relevant.has(j) && j < r) rank++;
    }
    ranks.push(rank);
  }
  return ranks.sort((a, b) => a - b);
}

/** Average precision of one query: mean over relevant items of precision at their rank. */
export function averagePrecision(q: RankedQuery): number {
  const ranks = relevantRanks(q);
  let sum = 0;
  ranks.forEach((rank, i) => {
    sum += (i + 1) / rank;
  });
  return sum / ranks.length;
}

/** 1 if a relevant item is among the first k, else 0. */
export function hitAtK(q: RankedQuery, k: number): number {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be a positive integer, got ${k}`);
  return relevantRanks(q)[0]! <= k ? 1 : 0;
}

/** Fraction of queries with a relevant item among the first k (recall@k as used for near-duplicate search). */
export function recallAtK(queries: readonly RankedQuery[], k: number): number {
  if (queries.length === 0) throw new RangeError('no queries');
  return queries.reduce((s, q) => s + hitAtK(q, k), 0) / queries.length;
}

/** Mean of the queries' average precisions. */
export function meanAveragePrecision(queries: readonly RankedQuery[]): number {
  if (queries.length === 0) throw new RangeError('no queries');
  return queries.reduce((s, q) => s + averagePrecision(q), 0) / queries.length;
}
