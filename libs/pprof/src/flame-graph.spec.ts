import { flameGraph, type FlameNode } from './flame-graph';
import { profileOf } from './spec-support/profiles';

function render(n: FlameNode, depth = 0): string[] {
  return [`${'  '.repeat(depth)}${n.name} ${n.value}/${n.self}`, ...n.children.flatMap((c) => render(c, depth + 1))];
}

describe('flameGraph', () => {
  it('builds the call tree with totals, self values and sorted children', () => {
    const p = profileOf(
      {
        'main;b;leaf': [3, 0],
        'main;a;leaf': [3, 0],
        'main;a;rec;rec': [4, 0],
        main: [1, 0],
        'gc;mark': [2, 0],
        'main;never': [0, 9],
        '': [5, 0],
      },
      [['samples', 'count'], ['other', 'count']],
    );
    expect(render(flameGraph(p, 'samples'))).toEqual([
      'root 18/5',
      '  main 11/1',
      '    a 7/0',
      '      rec 4/0',
      '        rec 4/4',
      '      leaf 3/3',
      '    b 3/0',
      '      leaf 3/3',
      '  gc 2/0',
      '    mark 2/2',
    ]);
  });

  it('uses the default sample type', () => {
    const p = profileOf({ 'main;x': [1, 7] }, [['samples', 'count'], ['cpu', 'nanoseconds']]);
    expect(flameGraph(p).value).toBe(7n);
  });
});
