import type { AggregatedStack } from './function-totals';

/** A flame graph node: `value` of every stack through it, `self` of those ending at it. */
export interface FlameTreeNode {
  readonly name: string;
  readonly value: number;
  readonly self: number;
  /** Largest value first, then by name; an "other" node, when present, holds what was folded. */
  readonly children: FlameTreeNode[];
}

/** Name of the node that stands for a parent's folded children. */
export const FOLDED_NODE_NAME = 'other';

interface BuildNode {
  readonly name: string;
  value: number;
  self: number;
  readonly children: Map<string, BuildNode>;
}

function newNode(name: string): BuildNode {
  return { name, value: 0, self: 0, children: new Map() };
}

function buildTree(stacks: readonly AggregatedStack[]): BuildNode {
  const root = newNode('root');
  for (const stack of stacks) {
    if (stack.value === 0) continue;
    let node = root;
    node.value += stack.value;
    for (const frame of stack.frames) {
      let child = node.children.get(frame);
      if (!child) node.children.set(frame, (child = newNode(frame)));
      child.value += stack.value;
      node = child;
    }
    node.self += stack.value;
  }
  return root;
}

function byValueThenName(a: { name: string; value: number }, b: { name: string; value: number }): number {
  return b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The call tree of the stacks, at most `maxNodes` nodes (root and "other" nodes included).
 * Nodes are kept largest first, a child only after its parent, so what is dropped is always
 * smaller than what is shown; each kept node's dropped children become one "other" child.
 */
export function flameTree(stacks: readonly AggregatedStack[], maxNodes: number): FlameTreeNode {
  if (!Number.isInteger(maxNodes) || maxNodes < 2) throw new RangeError(`maxNodes must be an integer ≥ 2, got ${maxNodes}`);
  const root = buildTree(stacks);
  const kept = new Set<BuildNode>([root]);
  // Per kept node: how many of its children are not kept yet (each such node costs an "other").
  const unkept = new Map<BuildNode, number>([[root, root.children.size]]);
  let folds = root.children.size > 0 ? 1 : 0;
  const parentOf = new Map<BuildNode, BuildNode>();
  // Candidates: children of kept nodes, largest first.
  const frontier = new MaxHeap<BuildNode>((a, b) => byValueThenName(b, a));
  const offer = (parent: BuildNode): void => {
    for (const child of parent.children.values()) {
      parentOf.set(child, parent);
      frontier.push(child);
    }
  };
  offer(root);
  for (let next = frontier.peek(); next !== undefined; next = frontier.peek()) {
    const parent = parentOf.get(next)!;
    const parentLeft = unkept.get(parent)! - 1;
    // Keeping `next` adds it, adds an "other" under it if it has children, and removes the
    // parent's "other" if it was the parent's last unkept child.
    const foldsAfter = folds + (next.children.size > 0 ? 1 : 0) - (parentLeft === 0 ? 1 : 0);
    if (kept.size + 1 + foldsAfter > maxNodes) break;
    frontier.pop();
    kept.add(next);
    unkept.set(parent, parentLeft);
    unkept.set(next, next.children.size);
    folds = foldsAfter;
    offer(next);
  }
  return freeze(root, kept);
}

function freeze(node: BuildNode, kept: ReadonlySet<BuildNode>): FlameTreeNode {
  const children: FlameTreeNode[] = [];
  let folded = 0;
  for (const child of node.children.values()) {
    if (kept.has(child)) children.push(freeze(child, kept));
    else folded += child.value;
  }
  if (node.children.size > children.length) {
    children.push({ name: FOLDED_NODE_NAME, value: folded, self: folded, children: [] });
  }
  children.sort(byValueThenName);
  return { name: node.name, value: node.value, self: node.self, children };
}

/** Number of nodes in a tree (root included). */
export function countNodes(node: FlameTreeNode): number {
  return 1 + node.children.reduce((n, c) => n + countNodes(c), 0);
}

/** A binary heap ordered by `higher(a, b) > 0` when a comes out first. */
class MaxHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly higher: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.higher(items[i], items[up]) <= 0) break;
      [items[i], items[up]] = [items[up], items[i]];
      i = up;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.higher(items[l], items[best]) > 0) best = l;
        if (r < items.length && this.higher(items[r], items[best]) > 0) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
