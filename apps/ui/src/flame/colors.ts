import type { FlameNode } from './tree';

/** A stable warm colour per Go package (hue 0–50: reds to yellows, as flame graphs are drawn). */
export function frameColor(name: string): string {
  const bracket = name.indexOf('[');
  const bare = bracket < 0 ? name : name.slice(0, bracket);
  const dot = bare.indexOf('.', bare.lastIndexOf('/') + 1);
  const pkg = dot < 0 ? bare : bare.slice(0, dot);
  let hash = 0;
  for (let i = 0; i < pkg.length; i++) hash = (hash * 31 + pkg.charCodeAt(i)) >>> 0;
  const hue = hash % 50;
  const light = 55 + ((hash >>> 8) % 15);
  return `hsl(${hue}, 80%, ${light}%)`;
}

/**
 * Diff colour from a node's change in share: red for growth, blue for shrink, light grey for none,
 * saturating at `maxChange` (a fraction of the total).
 */
export function diffColor(node: FlameNode, total: number, maxChange: number): string {
  if (total <= 0 || node.base === undefined) return 'hsl(0, 0%, 85%)';
  const change = (node.value - node.base) / total;
  const strength = Math.min(1, Math.abs(change) / Math.max(maxChange, 1e-9));
  if (strength < 0.02) return 'hsl(0, 0%, 93%)';
  const light = Math.round(95 - strength * 45);
  return change >= 0 ? `hsl(0, 85%, ${light}%)` : `hsl(215, 85%, ${light}%)`;
}

/** The largest |change in share| of any node: what diff colours saturate at. */
export function largestChange(root: FlameNode): number {
  let largest = 0;
  const walk = (node: FlameNode) => {
    if (node.base !== undefined && root.value > 0) largest = Math.max(largest, Math.abs(node.value - node.base) / root.value);
    node.children.forEach(walk);
  };
  root.children.forEach(walk);
  return largest;
}
