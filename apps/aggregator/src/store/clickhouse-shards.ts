/**
 * Where a cluster's hosts are. ON CLUSTER DDL needs ZooKeeper, which a plain sharded setup does
 * not have, so the store creates the local tables on every host itself, over each host's HTTP
 * interface. system.clusters names hosts by their native (TCP) port only; the HTTP address is
 * derived from it — by default the same HTTP port as the store URL (every node on 8123, the usual
 * deployment), or by a caller-supplied mapping (tests, unusual port layouts).
 */
export interface ClusterHost {
  readonly shard: number;
  readonly replica: number;
  readonly hostAddress: string;
  /** Native protocol port, as remote_servers names it. */
  readonly tcpPort: number;
  readonly isLocal: boolean;
}

/** Maps a host of system.clusters to the HTTP URL of that server. */
export type HostUrlResolver = (host: ClusterHost) => string;

/** Same scheme and HTTP port as the store URL, on the host's address (IPv6 in brackets). */
export function sameHttpPort(storeUrl: string): HostUrlResolver {
  const base = new URL(storeUrl);
  return (host) => {
    if (host.isLocal) return base.origin;
    const address = host.hostAddress.includes(':') ? `[${host.hostAddress}]` : host.hostAddress;
    return `${base.protocol}//${address}${base.port === '' ? '' : `:${base.port}`}`;
  };
}

/** Rows of `SELECT shard_num, replica_num, host_address, port, is_local FROM system.clusters`. */
export function clusterHosts(cluster: string, rows: readonly Record<string, unknown>[]): ClusterHost[] {
  if (rows.length === 0) throw new Error(`ClickHouse cluster ${JSON.stringify(cluster)} is not in system.clusters: define it in remote_servers on every node`);
  return rows.map((r) => ({
    shard: Number(r.shard_num),
    replica: Number(r.replica_num),
    hostAddress: String(r.host_address),
    tcpPort: Number(r.port),
    isLocal: Number(r.is_local) === 1,
  }));
}
