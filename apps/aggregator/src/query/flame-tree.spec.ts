import { flameGraph, type FlameNode, type NormalizedProfile } from '@stackwatch/pprof';
import fc from 'fast-check';
import { countNodes, flameTree, type FlameTreeNode } from './flame-tree';
import type { AggregatedStack } from './function-totals';

function stacks(spec: Record<string, number>): AggregatedStack[] {
  return Object.entries(spec).map(([key, value]) => ({ frames: key === '' ? [] : key.split(';'), value, instances: 1 }));
}

/** name(value)[children] — compact enough to hand-check. */
function show(node: FlameTreeNode): string {
  const kids = node.children.map(show).join(' ');
  return `${node.name}(${node.value})${kids ? `[${kids}]` : ''}`;
}

describe('flameTree', () => {
  const sample = stacks({
    'main;a;x': 6,
    'main;a;y': 2,
    'main;b': 5,
    'main;c': 1,
    main: 1,
    '': 3,
  });

  it('builds the call tree, children largest first, root holding the total', () => {
    const tree = flameTree(sample, 1000);
    expect(show(tree)).toBe('root(18)[main(15)[a(8)[x(6) y(2)] b(5) c(1)]]');
    expect(tree.self).toBe(3);
    expect(tree.children[0].self).toBe(1);
  });

  it('folds the smallest nodes into "other" within maxNodes', () => {
    // The whole tree has 7 nodes.
    expect(show(flameTree(sample, 7))).toBe('root(18)[main(15)[a(8)[x(6) y(2)] b(5) c(1)]]');
    // 6: root, main, a, x and an "other" under a (y) and under main (b + c). Keeping b next
    // would need a 7th node.
    expect(show(flameTree(sample, 6))).toBe('root(18)[main(15)[a(8)[x(6) other(2)] other(6)]]');
    // 5 nodes: root, main, a, other(a's 8), other(main's b + c = 6).
    expect(show(flameTree(sample, 5))).toBe('root(18)[main(15)[a(8)[other(8)] other(6)]]');
    expect(show(flameTree(sample, 3))).toBe('root(18)[main(15)[other(14)]]');
    expect(show(flameTree(sample, 2))).toBe('root(18)[other(15)]');
  });

  it('sorts an "other" node among its siblings by value', () => {
    const wide = stacks({ 'main;a': 4, 'main;b': 3, 'main;c': 3, 'main;d': 3 });
    expect(show(flameTree(wide, 4))).toBe('root(13)[main(13)[other(9) a(4)]]');
  });

  it('refuses a bound that cannot hold the root and one node', () => {
    expect(() => flameTree(sample, 1)).toThrow('maxNodes must be an integer ≥ 2, got 1');
  });

  it('equals @stackwatch/pprof flameGraph when nothing is folded', () => {
    const profile: NormalizedProfile = {
      sampleTypes: [{ type: 'samples', unit: 'count' }],
      period: 1n,
      timeNanos: 0n,
      durationNanos: 0n,
      stacks: sample.map((s) => ({ frames: s.frames, values: [BigInt(s.value)] })),
    };
    const strip = (n: FlameNode): unknown => ({ name: n.name, value: Number(n.value), self: Number(n.self), children: n.children.map(strip) });
    expect(flameTree(sample, 1000)).toEqual(strip(flameGraph(profile)));
  });

  it('never exceeds maxNodes and never loses value', () => {
    const frame = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const stackArb = fc.record({ frames: fc.array(frame, { maxLength: 5 }), value: fc.integer({ min: 1, max: 100 }), instances: fc.constant(1) });
    fc.assert(
      fc.property(fc.array(stackArb, { maxLength: 30 }), fc.integer({ min: 2, max: 40 }), (list, maxNodes) => {
        const tree = flameTree(list, maxNodes);
        expect(countNodes(tree)).toBeLessThanOrEqual(maxNodes);
        const check = (n: FlameTreeNode): void => {
          const below = n.children.reduce((s, c) => s + c.value, 0);
          expect(below + n.self).toBe(n.value);
          n.children.forEach(check);
        };
        check(tree);
        expect(tree.value).toBe(list.reduce((s, x) => s + x.value, 0));
      }),
    );
  });
});
