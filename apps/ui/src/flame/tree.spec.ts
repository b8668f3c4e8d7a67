import { diffColor, largestChange } from './colors';
import { diffTree, findPath, layout, searchTree, treeDepth, type FlameNode } from './tree';

const node = (name: string, value: number, children: FlameNode[] = []): FlameNode => ({
  name,
  value,
  self: value - children.reduce((s, c) => s + c.value, 0),
  children,
});

// root 100: main 80 (work 60 (hash 40), idle 20), gc 20
const tree = node('root', 100, [node('main', 80, [node('work', 60, [node('hash', 40)]), node('idle', 20)]), node('gc', 20)]);

describe('flame layout', () => {
  it('lays the tree out by value, children left to right in their order', () => {
    const rects = layout(tree, [], 0);
    const at = (name: string) => rects.find((r) => r.node.name === name)!;
    expect(at('root')).toMatchObject({ depth: 0, x: 0, width: 1 });
    expect(at('main')).toMatchObject({ depth: 1, x: 0, width: 0.8, path: ['main'] });
    expect(at('gc')).toMatchObject({ depth: 1, x: 0.8, width: 0.2 });
    expect(at('idle').x).toBeCloseTo(0.6);
    expect(at('hash')).toMatchObject({ depth: 3, path: ['main', 'work', 'hash'] });
    expect(at('hash').width).toBeCloseTo(0.4);
  });

  it('zooms: the focused node is full width under its full-width ancestors, siblings gone', () => {
    const rects = layout(tree, ['main', 'work'], 0);
    expect(rects.map((r) => [r.node.name, r.depth, r.x, r.width, r.ancestor])).toEqual([
      ['root', 0, 0, 1, true],
      ['main', 1, 0, 1, true],
      ['work', 2, 0, 1, false],
      ['hash', 3, 0, 40 / 60, false],
    ]);
  });

  it('falls back to the root for a focus that is not in the tree', () => {
    expect(layout(tree, ['nope'], 0)[0]).toMatchObject({ node: tree, ancestor: false });
    expect(findPath(tree, ['main', 'nope'])).toBeUndefined();
  });

  it('leaves out boxes narrower than the minimum, with their subtrees', () => {
    const names = layout(tree, [], 0.25).map((r) => r.node.name);
    expect(names).toEqual(['root', 'main', 'work', 'hash']);
  });

  it('stays fast and bounded on a 10 000-node tree', () => {
    const wide = node('root', 10_000, Array.from({ length: 100 }, (_, i) => node(`f${i}`, 100, Array.from({ length: 99 }, (_, j) => node(`g${i}.${j}`, 1)))));
    expect(layout(wide, [], 0).length).toBe(1 + 100 + 9900);
    // At 1000 px, boxes under half a pixel are skipped: the 1/10000-wide leaves go.
    expect(layout(wide, [], 0.5 / 1000).length).toBe(101);
    expect(treeDepth(wide)).toBe(3);
  });

  it('searches names case-insensitively, counting nested matches once in the share', () => {
    expect(searchTree(tree, 'A')).toEqual({ matches: 2, value: 80 }); // main (80) contains hash
    expect(searchTree(tree, 'hash')).toEqual({ matches: 1, value: 40 });
    expect(searchTree(tree, '')).toEqual({ matches: 0, value: 0 });
  });
});

describe('diff tree', () => {
  it('scales the base to the current total and colours growth red, shrink blue', () => {
    const base = node('root', 50, [node('main', 25, [node('work', 25)]), node('gc', 25)]);
    const current = node('root', 100, [node('main', 90, [node('work', 90)]), node('gc', 10)]);
    const diff = diffTree(base, current);
    expect(diff.children.map((c) => [c.name, c.value, c.base])).toEqual([
      ['main', 90, 50],
      ['gc', 10, 50],
    ]);
    expect(largestChange(diff)).toBeCloseTo(0.4);
    expect(diffColor(diff.children[0], 100, 0.4)).toBe('hsl(0, 85%, 50%)');
    expect(diffColor(diff.children[1], 100, 0.4)).toBe('hsl(215, 85%, 50%)');
    expect(diffColor({ ...diff.children[0], base: 90 }, 100, 0.4)).toBe('hsl(0, 0%, 93%)');
    expect(diffColor({ ...diff.children[0], base: 80 }, 100, 0.4)).toBe('hsl(0, 85%, 84%)');
  });
});
