import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { loadMigrations, parseServerVersion, renderStatement, schemaValues, type ServerVersion } from './clickhouse-schema';
import { decimalToHash, hourSeconds, seriesId, stacksText, tablesText, type TableText } from './clickhouse-rows';
import { clusterHosts, sameHttpPort, type ClusterHost, type HostUrlResolver } from './clickhouse-shards';
import type {
  EventFilter,
  EventRecord,
  IngestBatch,
  InstanceSummary,
  InstanceTotal,
  MetricSeries,
  MetricSeriesFilter,
  ProfileFilter,
  ProfileMeta,
  ProfileRecord,
  ProfileStore,
  SampleFilter,
  ServiceSummary,
  StackTotal,
  TimeRange,
} from './profile-store';
import { RecentKeys } from './recent-keys';
import {
  EVENT_COLUMNS,
  eventRecord,
  groupSeries,
  mergeInstanceSummaries,
  mergeInstanceTotals,
  num,
  PROFILE_META_COLUMNS,
  profileMeta,
  strings,
  type Row,
} from './result-rows';
import { checkSampleFilter, equalsFilters } from './sql-filters';
import { sqlLiterals, utcDay } from './sql-literal';
import { stackRows } from './stack-rows';
import {
  checkBatches,
  checkLimit,
  checkOptionalList,
  checkRange,
  checkStackHashes,
  checkStep,
  checkText,
  clampTime,
  distinctBatches,
  rangeDays,
  secondBounds,
  timeSpan,
} from './store-input';

/**
 * The fleet store: ClickHouse over HTTP (@clickhouse/client), on 18.16 and 23+. Tables and keys
 * are in deploy/clickhouse/*.sql and explained in docs/schema.md. Two rules shape every method:
 *
 * - A message is written as: data tables (in parallel), then `profiles`, then the `ingested`
 *   ledger. A crash before the ledger row leaves the message unacknowledged; the agent re-sends.
 * - Two aggregators can store the same message at once (nothing in ClickHouse can stop them), so
 *   each profile copy carries a random copy_id and sample queries count, per profile id, only the
 *   copy named by min(copy_id) among its `profiles` rows. A profile row is written only after all
 *   of its samples, so the chosen copy is always complete; listings use LIMIT 1 BY id and metric
 *   queries read one value per (instance, name, second).
 *
 * With `cluster`, tables are `*_local` on every host plus Distributed tables of the plain names;
 * all reads and writes go through the Distributed tables.
 */
export interface ClickHouseStoreOptions {
  /** http(s)://host:port of the HTTP interface. */
  readonly url: string;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
  /** A cluster in remote_servers: local tables on each of its hosts, Distributed tables over them. */
  readonly cluster?: string;
  /** Cluster only: ReplicatedReplacingMergeTree local tables (replicas per shard, through ZooKeeper/Keeper). */
  readonly replicated?: boolean;
  /** Cluster only: the HTTP URL of each host (default: the store URL's port on the host's address). */
  readonly hostUrl?: HostUrlResolver;
  /** Folder of the versioned schema (default deploy/clickhouse of this checkout). */
  readonly schemaDir?: string;
  /** Bound on every request. */
  readonly requestTimeoutMs?: number;
}

const lit = sqlLiterals('clickhouse');
const DAY_TABLES = ['profiles', 'stacks', 'samples', 'metrics', 'events', 'statuses', 'ingested'] as const;
const DATA_TABLES = ['samples', 'metrics', 'events', 'statuses'] as const;
/** IN lists of ids and hashes can pass 18.16's 256 KiB default. */
const QUERY_SETTINGS: ClickHouseSettings = { max_query_size: '67108864' };
const PARTITION_ID = /^(\d{4})(\d{2})(\d{2})$/;

export class ClickHouseStore implements ProfileStore {
  private readonly client: ClickHouseClient;
  private readonly db: string;
  private readonly recentStacks = new RecentKeys(200_000);
  /** Messages being written by this store: a second write of one waits, then finds it in the ledger. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private version: ServerVersion | undefined;
  private readonly insertSettings: ClickHouseSettings;

  constructor(private readonly options: ClickHouseStoreOptions) {
    this.db = lit.identifier(options.database);
    if (options.cluster !== undefined) lit.identifier(options.cluster);
    this.client = this.clientFor(options.url);
    // Distributed inserts are queued and sent later by default: wait until every shard has its rows.
    this.insertSettings = options.cluster === undefined ? {} : { insert_distributed_sync: 1 };
  }

  private clientFor(url: string): ClickHouseClient {
    return createClient({
      url,
      username: this.options.username ?? 'default',
      password: this.options.password ?? '',
      request_timeout: this.options.requestTimeoutMs ?? 60_000,
      clickhouse_settings: QUERY_SETTINGS,
    });
  }

  /** The server release (SELECT version()), read once. */
  async serverVersion(): Promise<ServerVersion> {
    if (!this.version) {
      const rows = await this.rows('SELECT version() AS version');
      this.version = parseServerVersion(String(rows[0]?.version));
    }
    return this.version;
  }

  async init(): Promise<void> {
    const version = await this.serverVersion();
    if (this.options.cluster === undefined) {
      await this.migrate(this.client, loadMigrations('single', this.options.schemaDir), schemaValues(version, this.db));
      return;
    }
    const migrations = loadMigrations('cluster', this.options.schemaDir);
    const values = schemaValues(version, this.db, this.options.cluster, this.options.replicated ?? false);
    // Each host gets its local tables, then the Distributed ones (same file, same order).
    await this.onEachHost('schema', (client) => this.migrate(client, migrations, values));
  }

  /** Runs `task` against every host of the cluster in turn, over that host's HTTP interface. */
  private async onEachHost(what: string, task: (client: ClickHouseClient) => Promise<void>): Promise<void> {
    const resolveUrl = this.options.hostUrl ?? sameHttpPort(this.options.url);
    for (const host of await this.clusterHosts()) {
      const client = this.clientFor(resolveUrl(host));
      try {
        await task(client);
      } catch (err) {
        throw new Error(`ClickHouse cluster ${this.options.cluster}: ${what} on shard ${host.shard} (${host.hostAddress}:${host.tcpPort}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      } finally {
        await client.close();
      }
    }
  }

  /** Applies the migrations a server lacks; every statement is IF NOT EXISTS, so racing aggregators agree. */
  private async migrate(client: ClickHouseClient, migrations: ReturnType<typeof loadMigrations>, values: Record<string, string>): Promise<void> {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${this.db}` });
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS ${this.db}.schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = ReplacingMergeTree ORDER BY version`,
    });
    const result = await client.query({ query: `SELECT DISTINCT version FROM ${this.db}.schema_migrations`, format: 'JSONEachRow' });
    const applied = new Set((await result.json<Row>()).map((r) => num(r.version)));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await client.command({ query: renderStatement(statement, values) });
      await client.insert({
        table: `${this.db}.schema_migrations`,
        values: [{ version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) }],
        format: 'JSONEachRow',
      });
    }
  }

  /** The cluster's hosts, from the server the store talks to. */
  async clusterHosts(): Promise<ClusterHost[]> {
    const cluster = this.options.cluster;
    if (cluster === undefined) throw new Error('clusterHosts() needs the cluster option');
    const rows = await this.rows(
      `SELECT shard_num, replica_num, host_address, port, is_local FROM system.clusters WHERE cluster = ${lit.string(cluster)} ORDER BY shard_num, replica_num`,
    );
    return clusterHosts(cluster, rows);
  }

  async ping(): Promise<void> {
    await this.rows('SELECT 1 AS ok');
  }

  async write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>> {
    checkBatches(batches);
    const distinct = distinctBatches(batches);
    if (distinct.length === 0) return new Set();
    // Wait for this store's own writes of the same ids; registering happens synchronously after
    // the last check, so two calls in one process never both write a message.
    for (;;) {
      const pending = distinct.flatMap((b) => this.inFlight.get(b.messageId) ?? []);
      if (pending.length === 0) break;
      await Promise.allSettled(pending);
    }
    const run = this.writeNew(distinct);
    for (const b of distinct) this.inFlight.set(b.messageId, run);
    try {
      return await run;
    } finally {
      for (const b of distinct) if (this.inFlight.get(b.messageId) === run) this.inFlight.delete(b.messageId);
    }
  }

  private async writeNew(batches: readonly IngestBatch[]): Promise<Set<string>> {
    const days = timeSpan(batches);
    const known = await this.rows(
      `SELECT DISTINCT message_id FROM ${this.db}.ingested WHERE date >= ${lit.date(days.fromMs)} AND date <= ${lit.date(days.toMs)}
       AND message_id IN ${lit.inList(batches.map((b) => b.messageId))}`,
    );
    const knownIds = new Set(known.map((r) => String(r.message_id)));
    const fresh = batches.filter((b) => !knownIds.has(b.messageId));
    if (fresh.length === 0) return new Set();

    const text = tablesText(fresh);
    const stacks = stackRows(fresh).filter((s) => !this.recentStacks.has(s.key));
    await Promise.all([this.insert('stacks', stacksText(stacks)), ...DATA_TABLES.map((table) => this.insert(table, text[table]))]);
    for (const s of stacks) this.recentStacks.add(s.key);
    // A profile row makes its copy's samples count: only once they are all stored.
    await this.insert('profiles', text.profiles);
    await this.insert('ingested', text.ingested);
    return new Set(fresh.map((b) => b.messageId));
  }

  /** One INSERT per table per write, the body streamed as JSONEachRow text. */
  private async insert(table: string, text: TableText): Promise<void> {
    if (text.rows === 0) return;
    const result = await this.client.exec({
      query: `INSERT INTO ${this.db}.${table} FORMAT JSONEachRow`,
      values: Readable.from(text.chunks),
      clickhouse_settings: this.insertSettings,
    });
    // The response body is empty; reading it to the end returns the socket to the pool.
    for await (const _ of result.stream) void _;
  }

  async dropBefore(cutoffMs: number): Promise<readonly string[]> {
    checkRange({ fromMs: cutoffMs, toMs: cutoffMs }, 'cutoffMs');
    // Date partitions are named YYYYMMDD: compare ids as text.
    const cutoff = utcDay(clampTime(cutoffMs)).replace(/-/g, '');
    const dropped = new Set<string>();
    const dropOn = async (client: ClickHouseClient, suffix: string) => {
      const tables = DAY_TABLES.map((t) => `${t}${suffix}`);
      const result = await client.query({
        query: `SELECT DISTINCT table, partition_id FROM system.parts WHERE database = ${lit.string(this.db)} AND table IN ${lit.inList(tables)} AND active`,
        format: 'JSONEachRow',
      });
      for (const part of await result.json<Row>()) {
        const id = String(part.partition_id);
        const day = PARTITION_ID.exec(id);
        if (!day || id >= cutoff) continue;
        await client.command({ query: `ALTER TABLE ${this.db}.${lit.identifier(String(part.table))} DROP PARTITION ID ${lit.string(id)}` });
        dropped.add(`${day[1]}-${day[2]}-${day[3]}`);
      }
    };
    if (this.options.cluster === undefined) await dropOn(this.client, '');
    else await this.onEachHost('dropping partitions', (client) => dropOn(client, '_local'));
    return [...dropped].sort();
  }

  async services(range: TimeRange): Promise<readonly ServiceSummary[]> {
    const seen = this.seenRows(range);
    if (seen === undefined) return [];
    const rows = await this.rows(`SELECT service, uniqExact(instance) AS instances, max(ms) AS last_seen FROM (${seen}) GROUP BY service ORDER BY service`);
    return rows.map((r) => ({ service: String(r.service), instances: num(r.instances), lastSeenMs: num(r.last_seen) }));
  }

  async instances(range: TimeRange & { readonly service?: string }): Promise<readonly InstanceSummary[]> {
    if (range.service !== undefined) checkText(range.service, 'service');
    const seen = this.seenRows(range, range.service);
    const days = rangeDays(range);
    if (seen === undefined || days === undefined) return [];
    const bySecond = this.secondFilter(range, days, range.service);
    const [lastSeen, metrics, states] = await Promise.all([
      this.rows(`SELECT service, instance, max(ms) AS last_seen FROM (${seen}) GROUP BY service, instance ORDER BY service, instance`),
      this.rows(`SELECT service, instance, name, argMax(value, time) AS value FROM ${this.db}.metrics WHERE ${bySecond} GROUP BY service, instance, name`),
      this.rows(`SELECT service, instance, argMax(state, time) AS state FROM ${this.db}.statuses WHERE ${bySecond} GROUP BY service, instance`),
    ]);
    return mergeInstanceSummaries(lastSeen, metrics, states);
  }

  private secondFilter(range: TimeRange, days: { first: string; last: string }, service?: string): string {
    const seconds = secondBounds(range);
    return [
      `date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}`,
      `time >= ${lit.dateTime(seconds.fromMs)} AND time < ${lit.dateTime(seconds.toMs)}`,
      ...(service === undefined ? [] : [`service = ${lit.string(service)}`]),
    ].join(' AND ');
  }

  /** One row (service, instance, ms) per stored row of any kind in the range. */
  private seenRows(range: TimeRange, service?: string): string | undefined {
    const days = rangeDays(range);
    if (days === undefined) return undefined;
    const bySecond = this.secondFilter(range, days, service);
    const byMs = (column: string) =>
      [
        `date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}`,
        `${column} >= ${lit.integer(range.fromMs)} AND ${column} < ${lit.integer(range.toMs)}`,
        ...(service === undefined ? [] : [`service = ${lit.string(service)}`]),
      ].join(' AND ');
    return [
      `SELECT service, instance, toInt64(time) * 1000 AS ms FROM ${this.db}.metrics WHERE ${bySecond}`,
      `SELECT service, instance, toInt64(time) * 1000 AS ms FROM ${this.db}.statuses WHERE ${bySecond}`,
      `SELECT service, instance, start_ms AS ms FROM ${this.db}.profiles WHERE ${byMs('start_ms')}`,
      `SELECT service, instance, time_ms AS ms FROM ${this.db}.events WHERE ${byMs('time_ms')}`,
    ].join(' UNION ALL ');
  }

  async events(filter: EventFilter): Promise<readonly EventRecord[]> {
    checkLimit(filter.limit);
    const days = rangeDays(filter);
    if (days === undefined) return [];
    const where = [
      `date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}`,
      `time >= ${lit.dateTime(clampTime(filter.fromMs))} AND time <= ${lit.dateTime(clampTime(filter.toMs - 1))}`,
      `time_ms >= ${lit.integer(filter.fromMs)} AND time_ms < ${lit.integer(filter.toMs)}`,
      ...equalsFilters(lit, { service: filter.service, instance: filter.instance, kind: filter.kind }),
    ];
    const rows = await this.rows(
      `SELECT ${EVENT_COLUMNS} FROM ${this.db}.events WHERE ${where.join(' AND ')}
       ORDER BY time_ms DESC, id LIMIT 1 BY id LIMIT ${lit.integer(filter.limit)}`,
    );
    return rows.map(eventRecord);
  }

  async profiles(filter: ProfileFilter): Promise<readonly ProfileMeta[]> {
    checkLimit(filter.limit);
    checkOptionalList(filter.ids, 'ids');
    const days = rangeDays(filter);
    if (days === undefined || filter.ids?.length === 0) return [];
    const where = [
      ...this.profileRange(filter, days),
      ...equalsFilters(lit, { service: filter.service, instance: filter.instance, type: filter.type, trigger_kind: filter.trigger }),
      ...(filter.ids ? [`id IN ${lit.inList(filter.ids)}`] : []),
    ];
    const rows = await this.rows(
      `SELECT ${PROFILE_META_COLUMNS} FROM ${this.db}.profiles WHERE ${where.join(' AND ')}
       ORDER BY start_ms DESC, id LIMIT 1 BY id LIMIT ${lit.integer(filter.limit)}`,
    );
    return rows.map(profileMeta);
  }

  async profile(id: string, within: TimeRange): Promise<ProfileRecord | undefined> {
    checkText(id, 'id');
    const days = rangeDays(within, 'within');
    if (days === undefined) return undefined;
    const rows = await this.rows(
      `SELECT ${PROFILE_META_COLUMNS}, pprof_base64 FROM ${this.db}.profiles WHERE ${this.profileRange(within, days).join(' AND ')}
       AND id = ${lit.string(id)} LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return undefined;
    return { ...profileMeta(row), pprofGzip: new Uint8Array(Buffer.from(String(row.pprof_base64), 'base64')) };
  }

  /** Profiles that started in the range: day partitions, the sort key's time (whole seconds), then exact ms. */
  private profileRange(range: TimeRange, days: { first: string; last: string }): string[] {
    return [
      `date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}`,
      `time >= ${lit.dateTime(clampTime(range.fromMs))} AND time <= ${lit.dateTime(clampTime(range.toMs - 1))}`,
      `start_ms >= ${lit.integer(range.fromMs)} AND start_ms < ${lit.integer(range.toMs)}`,
    ];
  }

  async stackTotals(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    return this.readStacks(filter, limit, true);
  }

  async stackValues(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    return this.readStacks(filter, limit, false);
  }

  private async readStacks(filter: SampleFilter, limit: number, countInstances: boolean): Promise<readonly StackTotal[]> {
    checkLimit(limit);
    const where = this.sampleWhere(filter);
    if (where === undefined) return [];
    const days = rangeDays(filter)!;
    // One round trip: sums and instance counts in one scan grouped by a UInt64 (grouping 10⁷ rows
    // by a String is several times slower), then the frames of the stacks kept, joined from the
    // service's `stacks` rows of those days (cheaper than sending the hashes back as an IN list).
    // Instances are counted by a 64-bit hash of the name: uniqExact(String) hashes too (128 bits)
    // and costs twice as much; a collision among one service's instance names is not a concern.
    const rows = await this.rows(
      `SELECT stack_hash, total, instances, frames FROM (
         SELECT stack_hash, sum(value) AS total, ${countInstances ? 'uniqExact(cityHash64(instance))' : 'toUInt64(0)'} AS instances FROM ${this.db}.samples WHERE ${where}
         GROUP BY stack_hash ORDER BY total DESC, stack_hash LIMIT ${lit.integer(limit)})
       ANY LEFT JOIN (
         SELECT stack_hash, any(frames) AS frames FROM ${this.db}.stacks WHERE date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}
         AND service = ${lit.string(filter.service)} GROUP BY stack_hash) USING stack_hash
       ORDER BY total DESC, stack_hash`,
    );
    return rows.map((r) => ({ hash: decimalToHash(r.stack_hash), frames: strings(r.frames), value: num(r.total), instances: num(r.instances) }));
  }

  async instanceTotals(filter: SampleFilter, stackHashes?: readonly string[]): Promise<readonly InstanceTotal[]> {
    checkStackHashes(stackHashes, 'stackHashes');
    const where = this.sampleWhere(filter);
    const profiles = this.profileWhere(filter);
    if (where === undefined || profiles === undefined) return [];
    const stacks = stackHashes === undefined ? '' : stackHashes.length === 0 ? 'AND 0' : `AND stack_hash IN ${lit.inIntegers(stackHashes.map((h) => BigInt(`0x${h}`)))}`;
    // Summed per profile copy (a UInt64 key) and joined to the copies' instances: much cheaper
    // than grouping 10⁷ rows by a String. ALL INNER JOIN means the same on 18.16 and 23+; the
    // alias differs from the column because 18.16 would substitute it into the WHERE.
    // No stack asked about: every value is 0, and only the profile counts need reading.
    const [values, counts] = await Promise.all([
      stackHashes?.length === 0
        ? []
        : this.rows(
            `SELECT copy_instance AS instance, sum(copy_total) AS value FROM (
               SELECT copy_id, sum(value) AS copy_total FROM ${this.db}.samples WHERE ${where} ${stacks} GROUP BY copy_id)
             ALL INNER JOIN (SELECT copy_id, any(instance) AS copy_instance FROM ${this.db}.profiles WHERE ${profiles} GROUP BY copy_id) USING copy_id
             GROUP BY copy_instance`,
          ),
      this.rows(`SELECT instance, uniqExact(id) AS profiles FROM ${this.db}.profiles WHERE ${profiles} GROUP BY instance`),
    ]);
    return mergeInstanceTotals(filter.service, values, counts);
  }

  /**
   * The samples of a filter. Per row this costs a few cheap compares: the day partition, the
   * series id and UTC hour that lead the sort key (18.16 needs the hour bounds spelled out), and
   * the copy each profile counts by. Service, type, instance and exact start are decided by the
   * `profiles` subquery, so they are not compared again on every sample.
   */
  private sampleWhere(filter: SampleFilter): string | undefined {
    const profiles = this.profileWhere(filter);
    const days = rangeDays(filter);
    if (profiles === undefined || days === undefined) return undefined;
    const subquery = `SELECT min(copy_id) FROM ${this.db}.profiles WHERE ${profiles} GROUP BY id`;
    return [
      `date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}`,
      `series = ${lit.integer(BigInt(seriesId(filter.service, filter.profileType, filter.sampleType)))}`,
      `hour >= ${lit.dateTime(hourSeconds(clampTime(filter.fromMs)) * 1000)} AND hour <= ${lit.dateTime(hourSeconds(clampTime(filter.toMs - 1)) * 1000)}`,
      // GLOBAL: in a cluster, profiles and samples are sharded differently; single node reads it as IN.
      `copy_id ${this.options.cluster === undefined ? 'IN' : 'GLOBAL IN'} (${subquery})`,
    ].join(' AND ');
  }

  private profileWhere(filter: SampleFilter): string | undefined {
    checkSampleFilter(filter);
    const days = rangeDays(filter);
    if (days === undefined || filter.profileIds?.length === 0) return undefined;
    return [
      ...this.profileRange(filter, days),
      `service = ${lit.string(filter.service)}`,
      `type = ${lit.string(filter.profileType)}`,
      `has(sample_types, ${lit.string(filter.sampleType)})`,
      ...equalsFilters(lit, { instance: filter.instance }),
      ...(filter.profileIds ? [`id IN ${lit.inList(filter.profileIds)}`] : []),
    ].join(' AND ');
  }

  async stacksContaining(service: string, fn: string, range: TimeRange): Promise<readonly string[]> {
    checkText(service, 'service');
    checkText(fn, 'fn');
    const days = rangeDays(range);
    if (days === undefined) return [];
    const rows = await this.rows(
      `SELECT DISTINCT stack_hash FROM ${this.db}.stacks WHERE date >= ${lit.date(days.first)} AND date <= ${lit.date(days.last)}
       AND service = ${lit.string(service)} AND has(frames, ${lit.string(fn)}) ORDER BY stack_hash`,
    );
    return rows.map((r) => decimalToHash(r.stack_hash));
  }

  async metricSeries(filter: MetricSeriesFilter): Promise<readonly MetricSeries[]> {
    checkText(filter.service, 'service');
    checkText(filter.name, 'name');
    checkStep(filter);
    const days = rangeDays(filter);
    if (days === undefined) return [];
    const step = lit.integer(filter.stepMs);
    // One value per (instance, name, second), so a repeated point counts once before merges.
    const rows = await this.rows(
      `SELECT service, instance, bucket, avg(point) AS value FROM (
         SELECT service, instance, intDiv(toInt64(time) * 1000, ${step}) * ${step} AS bucket, max(value) AS point FROM ${this.db}.metrics
         WHERE ${this.secondFilter(filter, days, filter.service)} AND name = ${lit.string(filter.name)}
         ${equalsFilters(lit, { instance: filter.instance }).map((c) => `AND ${c}`).join(' ')}
         GROUP BY service, instance, time)
       GROUP BY service, instance, bucket ORDER BY service, instance, bucket`,
    );
    return groupSeries(rows);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
    await this.client.close();
  }

  private async rows(query: string): Promise<Row[]> {
    const result = await this.client.query({ query, format: 'JSONEachRow' });
    return result.json<Row>();
  }
}

