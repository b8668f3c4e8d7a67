import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The real profiles committed under test/fixtures/profiles (captured from the Go fault fixture
 * with Go 1.19 and the current Go), by type, gzipped as Go serves them.
 */
export function fixtureProfiles(): { cpu: Buffer[]; heap: Buffer[]; goroutine: Buffer[]; mutex: Buffer[] } {
  let dir = __dirname;
  while (!existsSync(join(dir, 'test', 'fixtures', 'profiles'))) {
    if (dirname(dir) === dir) throw new Error(`test/fixtures/profiles not found above ${__dirname}`);
    dir = dirname(dir);
  }
  const root = join(dir, 'test', 'fixtures', 'profiles');
  const files = readdirSync(root);
  const of = (type: string) => files.filter((f) => f.endsWith(`-${type}.pb.gz`)).map((f) => readFileSync(join(root, f)));
  return { cpu: of('cpu'), heap: of('heap'), goroutine: of('goroutine'), mutex: of('mutex') };
}
