/** A call tree as the aggregator's /flamegraph answers it (root first, children largest first). */
export interface FlameNode {
  readonly name: string;
  readonly value: number;
  readonly self: number;
  readonly children: readonly FlameNode[];
  /** Diff trees only: the node's value on the base side, scaled to the current side's total. */
  readonly base?: number;
}

/** One drawn box: its node, row (0 = top), and horizontal extent as fractions of the width. */
export interface FlameRect {
  readonly node: FlameNode;
  readonly depth: number;
  readonly x: number;
  readonly width: number;
  /** Frames from the root's first child down to this node: what `focus` names. */
  readonly path: readonly string[];
  /** Above the focused node: drawn full width, dimmed. */
  readonly ancestor: boolean;
}

/** The node at `path` (names from the root's children down), or undefined when it is not in the tree. */
export function findPath(root: FlameNode, path: readonly string[]): { node: FlameNode; chain: FlameNode[] } | undefined {
  const chain = [root];
  let node = root;
  for (const name of path) {
    const next = node.children.find((c) => c.name === name);
    if (!next) return undefined;
    chain.push(next);
    node = next;
  }
  return { node, chain };
}

/**
 * Boxes to draw with `focus` as the full-width node: its ancestors above it (full width), then its
 * subtree laid out by value. Boxes narrower than `minFraction` of the width are left out with
 * their subtrees, which is what keeps 10 000-node trees fast: only what can be seen is drawn.
 */
export function layout(root: FlameNode, focus: readonly string[], minFraction: number): FlameRect[] {
  const found = findPath(root, focus) ?? { node: root, chain: [root] };
  const focusPath = focus.slice(0, found.chain.length - 1);
  const rects: FlameRect[] = found.chain.slice(0, -1).map((node, depth) => ({ node, depth, x: 0, width: 1, path: focusPath.slice(0, depth), ancestor: true }));
  const top = found.node;
  if (top.value <= 0) return [...rects, { node: top, depth: rects.length, x: 0, width: 1, path: focusPath, ancestor: false }];
  const walk = (node: FlameNode, depth: number, x: number, width: number, path: readonly string[]) => {
    rects.push({ node, depth, x, width, path, ancestor: false });
    let offset = x;
    for (const child of node.children) {
      const w = (child.value / node.value) * width;
      if (w >= minFraction) walk(child, depth + 1, offset, w, [...path, child.name]);
      offset += w;
    }
  };
  walk(top, rects.length, 0, 1, focusPath);
  return rects;
}

/** How deep the tree goes (root = 1). */
export function treeDepth(node: FlameNode): number {
  let deepest = 0;
  for (const child of node.children) deepest = Math.max(deepest, treeDepth(child));
  return deepest + 1;
}

/**
 * Frames whose name contains `term` (case-insensitive): how many boxes, and the share of the
 * root's value they cover, each stack counted once even when a match sits inside another.
 */
export function searchTree(root: FlameNode, term: string): { matches: number; value: number } {
  const needle = term.toLowerCase();
  if (needle === '') return { matches: 0, value: 0 };
  let matches = 0;
  let value = 0;
  const walk = (node: FlameNode, inside: boolean) => {
    const hit = node.name.toLowerCase().includes(needle);
    if (hit) matches++;
    if (hit && !inside) value += node.value;
    for (const child of node.children) walk(child, inside || hit);
  };
  for (const child of root.children) walk(child, false);
  return { matches, value };
}

/**
 * A diff tree: the current tree's shape and values, each node carrying its base value scaled so
 * both sides have the same total (`base`), so colour shows the change in share, not in volume.
 * Stacks only in the base have no box (the graph shows what runs now); the diff table beside it
 * lists what shrank or vanished.
 */
export function diffTree(base: FlameNode, current: FlameNode): FlameNode {
  const scale = base.value > 0 ? current.value / base.value : 0;
  const merge = (cur: FlameNode, old: FlameNode | undefined): FlameNode => ({
    name: cur.name,
    value: cur.value,
    self: cur.self,
    base: (old?.value ?? 0) * scale,
    children: cur.children.map((child) => merge(child, old?.children.find((c) => c.name === child.name))),
  });
  return merge(current, base);
}
