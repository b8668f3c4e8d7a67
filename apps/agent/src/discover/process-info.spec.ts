import { tempTree, writeTree } from './__fixtures__/file-tree';
import { identityFrom, parseEnviron, readProcessFacts, resolveIdentity } from './process-info';

describe('parseEnviron', () => {
  it('splits NUL-separated entries at the first "=", keeping the first of duplicates', () => {
    const env = parseEnviron(Buffer.from('A=1\0URL=http://x/?a=b\0\0=junk\0A=2\0EMPTY=\0'));
    expect(Object.fromEntries(env)).toEqual({ A: '1', URL: 'http://x/?a=b', EMPTY: '' });
  });
});

describe('process identity from a fixture /proc', () => {
  const tree = tempTree('process-info');
  const host = { hostName: 'node-a' };
  beforeAll(() =>
    writeTree(tree.root, {
      '200/environ': 'PATH=/bin\0STACKWATCH_SERVICE=checkout\0POD_NAME=checkout-7d9f\0HOSTNAME=ignored\0',
      '200/exe': { symlink: '/usr/local/bin/checkout-server' },
      '200/comm': 'checkout-server\n',
      '201/environ': 'HOSTNAME=web-1\0STACKWATCH_SERVICE=\0',
      '201/exe': { symlink: '/opt/app/web (deleted)' },
      '202/comm': 'worker\n', // environ and exe unreadable: another user's process
    }),
  );
  afterAll(tree.cleanup);

  it('reads environ, the executable name and comm', async () => {
    const facts = await readProcessFacts(200, tree.root);
    expect(facts.executable).toBe('checkout-server');
    expect(facts.env?.get('POD_NAME')).toBe('checkout-7d9f');
    expect((await readProcessFacts(201, tree.root)).executable).toBe('web');
    expect(await readProcessFacts(202, tree.root)).toEqual({ env: undefined, executable: 'worker' });
  });

  it('defaults: STACKWATCH_SERVICE, else the executable; POD_NAME, else HOSTNAME, else host-pid', async () => {
    expect(await resolveIdentity(200, host, tree.root)).toEqual({ service: 'checkout', instance: 'checkout-7d9f', labels: {} });
    expect(await resolveIdentity(201, host, tree.root)).toEqual({ service: 'web', instance: 'web-1', labels: {} });
    expect(await resolveIdentity(202, host, tree.root)).toEqual({ service: 'worker', instance: 'node-a-202', labels: {} });
  });

  it('--service and --instance override, --label adds', async () => {
    const options = { ...host, service: 'payments', instance: 'pay-0', labels: [['zone', 'eu-1'], ['tier', 'gold']] as const };
    expect(await resolveIdentity(200, options, tree.root)).toEqual({ service: 'payments', instance: 'pay-0', labels: { zone: 'eu-1', tier: 'gold' } });
  });

  it('without a pid only the flags and the fallback id remain', () => {
    expect(identityFrom(undefined, undefined, host, '10.0.0.7:6060')).toEqual({ service: 'unknown', instance: 'node-a-10.0.0.7:6060', labels: {} });
  });

  it('returns a frozen identity', async () => {
    expect(Object.isFrozen(await resolveIdentity(200, host, tree.root))).toBe(true);
  });
});
