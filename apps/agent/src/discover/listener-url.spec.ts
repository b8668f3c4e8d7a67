import { foreignListenerUrl, listenerUrl, localInterfaceAddresses } from './listener-url';

const socket = (address: string, port = 6060) => ({ address, port, inode: 1, family: address.includes(':') ? (6 as const) : (4 as const) });
const local = new Set(['127.0.0.1', '::1', '10.1.2.3', 'fd00::5']);

describe('listenerUrl', () => {
  it.each([
    ['0.0.0.0', 'http://127.0.0.1:6060/'],
    ['::', 'http://127.0.0.1:6060/'],
    ['127.0.0.1', 'http://127.0.0.1:6060/'],
    ['127.0.0.53', 'http://127.0.0.53:6060/'],
    ['::1', 'http://[::1]:6060/'],
    ['::ffff:127.0.0.1', 'http://127.0.0.1:6060/'],
    ['10.1.2.3', 'http://10.1.2.3:6060/'],
    ['fd00::5', 'http://[fd00::5]:6060/'],
  ])('probes a listener on %s at %s', (address, url) => {
    expect(listenerUrl(socket(address), local)?.href).toBe(url);
  });

  it.each(['192.0.2.10', '2001:db8::1', '::ffff:192.0.2.10'])('never probes %s: not an address of this machine', (address) => {
    expect(listenerUrl(socket(address), local)).toBeUndefined();
  });

  it("knows this machine's loopback", () => {
    expect(localInterfaceAddresses().has('127.0.0.1')).toBe(true);
  });
});

describe('foreignListenerUrl (a process in another network namespace)', () => {
  it('reaches wildcard listeners through the namespace address, and its own addresses directly', () => {
    expect(foreignListenerUrl(socket('0.0.0.0'), ['10.244.1.17'])?.href).toBe('http://10.244.1.17:6060/');
    expect(foreignListenerUrl(socket('::'), ['10.244.1.17'])?.href).toBe('http://10.244.1.17:6060/');
    expect(foreignListenerUrl(socket('10.244.1.17'), ['10.244.1.17'])?.href).toBe('http://10.244.1.17:6060/');
    expect(foreignListenerUrl(socket('::ffff:10.244.1.17'), ['10.244.1.17'])?.href).toBe('http://10.244.1.17:6060/');
  });
  it('never reaches its loopback (not ours) nor an address it does not own', () => {
    expect(foreignListenerUrl(socket('127.0.0.1'), ['10.244.1.17'])).toBeUndefined();
    expect(foreignListenerUrl(socket('::1'), ['10.244.1.17'])).toBeUndefined();
    expect(foreignListenerUrl(socket('10.0.0.9'), ['10.244.1.17'])).toBeUndefined();
  });
});
