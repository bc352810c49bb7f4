/**
 * A vector scope read against a codebook of its model: how close the scope's mean feature vector
 * lies to each label's direction (a nearest-centroid codebook's centroid, a linear one's weight
 * row), so a reader sees "mostly like sneakers" instead of 96 numbers and a count.
 *
 * Per label v with unit direction u_v: mean · u_v is unbiased for (true mean) · u_v, since the mean
 * is. The cosine divides it by √(unbiased ‖true mean‖²) (src/analysis normSquared), the bias
 * correction the comparison's cosine also makes (the noise inflates ‖mean‖² by tr Σ / n); while that
 * estimate is not positive the noise outweighs the signal and the cosine is null. Only groups without
 * a projection qualify: a projected vector no longer lives in the codebook's feature space.
 */
import type { VectorAggregate } from './group-estimates';
import type { CodebookRegistry } from './codebooks';

export interface CodebookSimilarity {
  readonly codebook: string;
  readonly labels: readonly string[];
  /** mean · u_v per label (unbiased). */
  readonly projections: number[];
  /** mean · u_v / √(unbiased ‖mean‖²) per label; null while that estimate is ≤ 0 or below two reports. */
  readonly cosines: (number | null)[];
}

/** The aggregate with one similarity view per codebook of its model (none for projected groups). */
export function withSimilarity(v: VectorAggregate, codebooks: CodebookRegistry | undefined): VectorAggregate {
  if (!codebooks || v.key.projection !== null || v.count === 0) return v;
  const similarity: CodebookSimilarity[] = [];
  for (const c of codebooks.values()) {
    if (`${c.model.id}/${c.model.layer}/${c.model.dims}` !== v.key.model) continue;
    if (c.directions.some((u) => u.length !== v.mean.length)) continue;
    const norm = v.normSquared !== null && v.normSquared.estimate > 0 ? Math.sqrt(v.normSquared.estimate) : null;
    const projections = c.directions.map((u) => u.reduce((s, x, j) => s + x * v.mean[j]!, 0));
    similarity.push({
      codebook: c.id,
      labels: c.labels,
      projections,
      cosines: projections.map((p) => (norm === null ? null : p / norm)),
    });
  }
  return similarity.length > 0 ? { ...v, similarity } : v;
}
