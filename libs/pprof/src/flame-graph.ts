import type { NormalizedProfile } from './profile';
import { selectSampleType, type SampleTypeSelector } from './sample-type';

export interface FlameNode {
  readonly name: string;
  /** Value of every stack through this node. */
  readonly value: bigint;
  /** Value of the stacks ending at this node. */
  readonly self: bigint;
  /** Sorted by value, largest first, then by name. */
  readonly children: FlameNode[];
}

interface MutableNode {
  value: bigint;
  self: bigint;
  children: Map<string, MutableNode>;
}

function newNode(): MutableNode {
  return { value: 0n, self: 0n, children: new Map() };
}

function freeze(name: string, node: MutableNode): FlameNode {
  const children = [...node.children].map(([n, c]) => freeze(n, c));
  children.sort((a, b) => (a.value !== b.value ? (a.value > b.value ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name, value: node.value, self: node.self, children };
}

/** The call tree of one sample type, rooted at a node named "root" holding the profile total. */
export function flameGraph(p: NormalizedProfile, sampleType?: SampleTypeSelector): FlameNode {
  const { index } = selectSampleType(p, sampleType);
  const root = newNode();
  for (const stack of p.stacks) {
    const v = stack.values[index];
    if (v === 0n) continue;
    let node = root;
    node.value += v;
    for (const frame of stack.frames) {
      let child = node.children.get(frame);
      if (!child) node.children.set(frame, (child = newNode()));
      child.value += v;
      node = child;
    }
    node.self += v;
  }
  return freeze('root', root);
}
