/**
 * Which instances differ from their peers on a metric: an instance stands out when its mean over
 * the range is far from the median of the others' means, by more than `factor` times their median
 * absolute deviation and by at least `minRelative` of the median (so a flat fleet with tiny
 * wiggles flags nobody). Needs three instances or more; with fewer there is no "peers".
 */
export function outlierInstances(means: ReadonlyMap<string, number>, factor = 3, minRelative = 0.5): Set<string> {
  const out = new Set<string>();
  if (means.size < 3) return out;
  for (const [instance, value] of means) {
    const others = [...means].filter(([name]) => name !== instance).map(([, v]) => v);
    const med = median(others);
    const mad = median(others.map((v) => Math.abs(v - med)));
    const distance = Math.abs(value - med);
    if (distance > factor * Math.max(mad, 1e-9) && distance >= minRelative * Math.max(Math.abs(med), 1e-9)) out.add(instance);
  }
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
