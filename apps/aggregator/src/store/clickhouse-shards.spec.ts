import { clusterHosts, sameHttpPort } from './clickhouse-shards';

const host = (hostAddress: string, isLocal = false) => ({ shard: 1, replica: 1, hostAddress, tcpPort: 9000, isLocal });

describe('cluster hosts', () => {
  it('reaches each host on the store URL port, the local one at the store URL', () => {
    const resolve = sameHttpPort('http://ch-1.internal:8123');
    expect(resolve(host('10.0.0.7'))).toBe('http://10.0.0.7:8123');
    expect(resolve(host('fd00::7'))).toBe('http://[fd00::7]:8123');
    expect(resolve(host('10.0.0.1', true))).toBe('http://ch-1.internal:8123');
  });

  it('reads system.clusters rows and names a cluster that is not defined', () => {
    expect(clusterHosts('c', [{ shard_num: 2, replica_num: 1, host_address: '10.0.0.2', port: 9000, is_local: 0 }])).toEqual([
      { shard: 2, replica: 1, hostAddress: '10.0.0.2', tcpPort: 9000, isLocal: false },
    ]);
    expect(() => clusterHosts('fleet', [])).toThrow(/cluster "fleet" is not in system.clusters/);
  });
});
