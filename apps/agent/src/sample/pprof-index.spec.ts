import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePprofIndex, PprofIndexError } from './pprof-index';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

describe('parsePprofIndex', () => {
  it.each([
    ['go1.19', 9, 7],
    ['go1.26', 10, 6],
  ])('reads every row of a page served by %s', (version, rows, threadsCreated) => {
    const { counts } = parsePprofIndex(fixture(`pprof-index-${version}.html`));
    expect(counts.size).toBe(rows);
    expect(counts.get('goroutine')).toBe(3);
    expect(counts.get('threadcreate')).toBe(threadsCreated);
  });

  it('accepts double-quoted links', () => {
    const { counts } = parsePprofIndex('<tr><td>42</td><td><a href="goroutine?debug=1">goroutine</a></td></tr>');
    expect(counts.get('goroutine')).toBe(42);
  });

  it('rejects a page that is not a pprof index, quoting its start', () => {
    expect(() => parsePprofIndex('<html>404 page not found</html>')).toThrow(PprofIndexError);
    expect(() => parsePprofIndex('<html>404 page not found</html>')).toThrow(/no goroutine row in "<html>404/);
  });
});
