import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  dateValue,
  DuckDBInstance,
  LIST,
  listValue,
  timestampValue,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
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
  labelArrays,
  mergeInstanceSummaries,
  mergeInstanceTotals,
  num,
  PROFILE_META_COLUMNS,
  profileMeta,
  strings,
  triggerColumns,
  type Row,
} from './result-rows';
import { checkSampleFilter, equalsFilters } from './sql-filters';
import { sqlLiterals } from './sql-literal';
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
 * The embedded store: one DuckDB file, the aggregator's default. Same tables and answers as the
 * ClickHouse store (docs/schema.md), with two differences DuckDB allows: the original pprof is a
 * BLOB (`pprof_gzip`) instead of base64 text, and there is no `copy_id` — a write is one
 * transaction that checks the ledger and inserts under this process's write lock, so a message
 * can never be stored twice.
 *
 * One process only: DuckDB lets a single process open a file read-write; every reader and writer
 * of the file must go through this one store object (the aggregator opens it once).
 */

const lit = sqlLiterals('duckdb');

/**
 * Files open in this process. DuckDB locks a file against other processes only: a second
 * instance on the same file in this process would keep its own cache and corrupt it, so a
 * second open is refused. (Process-wide on purpose: the invariant is per process.)
 */
const openFiles = new Set<string>();

/** Versioned schema; init() applies the versions missing from schema_migrations, in order. */
const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly statements: readonly string[] }[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE IF NOT EXISTS profiles (
        date DATE NOT NULL, time TIMESTAMP NOT NULL, start_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL,
        id VARCHAR NOT NULL, service VARCHAR NOT NULL, instance VARCHAR NOT NULL,
        label_keys VARCHAR[] NOT NULL, label_values VARCHAR[] NOT NULL, pid BIGINT NOT NULL, go_version VARCHAR NOT NULL,
        type VARCHAR NOT NULL, trigger_kind VARCHAR NOT NULL, trigger_name VARCHAR NOT NULL, trigger_value DOUBLE NOT NULL,
        trigger_average DOUBLE NOT NULL, trigger_threshold DOUBLE NOT NULL, trigger_event_id VARCHAR NOT NULL,
        sample_types VARCHAR[] NOT NULL, sample_units VARCHAR[] NOT NULL, pprof_gzip BLOB NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS stacks (
        date DATE NOT NULL, service VARCHAR NOT NULL, stack_hash VARCHAR NOT NULL, frames VARCHAR[] NOT NULL,
        PRIMARY KEY (date, service, stack_hash))`,
      `CREATE TABLE IF NOT EXISTS samples (
        date DATE NOT NULL, time TIMESTAMP NOT NULL, service VARCHAR NOT NULL, instance VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL, profile_type VARCHAR NOT NULL, sample_type VARCHAR NOT NULL,
        stack_hash VARCHAR NOT NULL, value BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS metrics (
        date DATE NOT NULL, time TIMESTAMP NOT NULL, service VARCHAR NOT NULL, instance VARCHAR NOT NULL,
        name VARCHAR NOT NULL, value DOUBLE NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS events (
        date DATE NOT NULL, time TIMESTAMP NOT NULL, time_ms BIGINT NOT NULL, id VARCHAR NOT NULL,
        service VARCHAR NOT NULL, instance VARCHAR NOT NULL, kind VARCHAR NOT NULL, value DOUBLE NOT NULL,
        average DOUBLE NOT NULL, threshold DOUBLE NOT NULL, reason VARCHAR NOT NULL,
        profile_ids VARCHAR[] NOT NULL, findings VARCHAR NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS statuses (
        date DATE NOT NULL, time TIMESTAMP NOT NULL, service VARCHAR NOT NULL, instance VARCHAR NOT NULL,
        state VARCHAR NOT NULL, detail VARCHAR NOT NULL, pid BIGINT NOT NULL, go_version VARCHAR NOT NULL,
        url VARCHAR NOT NULL, label_keys VARCHAR[] NOT NULL, label_values VARCHAR[] NOT NULL)`,
      // The primary key is a second guard behind the write lock: a duplicate id cannot commit.
      `CREATE TABLE IF NOT EXISTS ingested (
        date DATE NOT NULL, message_id VARCHAR NOT NULL PRIMARY KEY, written_at TIMESTAMP NOT NULL)`,
    ],
  },
];
const DAY_TABLES = ['profiles', 'stacks', 'samples', 'metrics', 'events', 'statuses', 'ingested'] as const;
const STACK_INSERT_CHUNK = 500;
const VARCHAR_LIST = LIST(VARCHAR);

function dayNumber(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

function microsOfSecond(ms: number): bigint {
  return BigInt(Math.floor(ms / 1000)) * 1_000_000n;
}

export class DuckDbStore implements ProfileStore {
  private writeChain: Promise<unknown> = Promise.resolve();
  private readonly recentStacks = new RecentKeys(200_000);
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
  ) {}

  /** Opens (creating it and its directory when missing) the DuckDB file at `path`; call init() next. */
  static async open(path: string): Promise<DuckDbStore> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new Error(`DuckDB store: invalid file path ${JSON.stringify(path)}`);
    const file = resolve(path);
    if (openFiles.has(file)) throw new Error(`DuckDB store: ${file} is already open in this process (one store per file; close it first)`);
    mkdirSync(dirname(file), { recursive: true });
    openFiles.add(file);
    try {
      const instance = await DuckDBInstance.create(file);
      try {
        return new DuckDbStore(file, instance, await instance.connect());
      } catch (err) {
        instance.closeSync();
        throw err;
      }
    } catch (err) {
      openFiles.delete(file);
      throw err;
    }
  }

  async init(): Promise<void> {
    await this.serialized(async () => {
      await this.writer.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
      const applied = new Set((await this.rows(this.writer, 'SELECT version FROM schema_migrations')).map((r) => num(r.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await this.transaction(async () => {
          for (const statement of migration.statements) await this.writer.run(statement);
          await this.writer.run(
            `INSERT INTO schema_migrations VALUES (${lit.integer(migration.version)}, ${lit.string(migration.name)}, ${lit.dateTime(Date.now())})`,
          );
        });
      }
    });
  }

  async ping(): Promise<void> {
    await this.read('SELECT 1');
  }

  async write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>> {
    checkBatches(batches);
    const distinct = distinctBatches(batches);
    if (distinct.length === 0) return new Set();
    return this.serialized(async () => {
      const written = await this.transaction(() => this.writeNew(distinct));
      for (const key of written.stackKeys) this.recentStacks.add(key);
      return written.ids;
    });
  }

  private async writeNew(batches: readonly IngestBatch[]): Promise<{ ids: Set<string>; stackKeys: string[] }> {
    const days = timeSpan(batches);
    const known = await this.rows(
      this.writer,
      `SELECT message_id FROM ingested WHERE date BETWEEN ${lit.date(days.fromMs)} AND ${lit.date(days.toMs)}
       AND message_id IN ${lit.inList(batches.map((b) => b.messageId))}`,
    );
    const knownIds = new Set(known.map((r) => String(r.message_id)));
    const fresh = batches.filter((b) => !knownIds.has(b.messageId));
    if (fresh.length === 0) return { ids: new Set(), stackKeys: [] };

    const stacks = stackRows(fresh).filter((s) => !this.recentStacks.has(s.key));
    for (let i = 0; i < stacks.length; i += STACK_INSERT_CHUNK) {
      const values = stacks
        .slice(i, i + STACK_INSERT_CHUNK)
        .map((s) => `(${lit.date(s.day)}, ${lit.string(s.service)}, ${lit.string(s.hash)}, ${lit.strings(s.frames)}::VARCHAR[])`);
      await this.writer.run(`INSERT OR IGNORE INTO stacks VALUES ${values.join(', ')}`);
    }
    await this.append('profiles', (a) => {
      for (const p of fresh.flatMap((b) => b.profiles ?? [])) {
        const t = triggerColumns(p.trigger);
        const l = labelArrays(p.labels);
        a.appendDate(dateValue(dayNumber(p.startMs)));
        a.appendTimestamp(timestampValue(microsOfSecond(p.startMs)));
        a.appendBigInt(BigInt(p.startMs));
        a.appendBigInt(BigInt(p.durationMs));
        a.appendVarchar(p.id);
        a.appendVarchar(p.service);
        a.appendVarchar(p.instance);
        a.appendList(listValue(l.keys), VARCHAR_LIST);
        a.appendList(listValue(l.values), VARCHAR_LIST);
        a.appendBigInt(BigInt(p.pid));
        a.appendVarchar(p.goVersion);
        a.appendVarchar(p.type);
        a.appendVarchar(t.kind);
        a.appendVarchar(t.name);
        a.appendDouble(t.value);
        a.appendDouble(t.average);
        a.appendDouble(t.threshold);
        a.appendVarchar(t.eventId);
        a.appendList(listValue(p.sampleTypes.map((s) => s.type)), VARCHAR_LIST);
        a.appendList(listValue(p.sampleTypes.map((s) => s.unit)), VARCHAR_LIST);
        a.appendBlob(p.pprofGzip);
        a.endRow();
      }
    });
    await this.append('samples', (a) => {
      for (const s of fresh.flatMap((b) => b.samples ?? [])) {
        a.appendDate(dateValue(dayNumber(s.timeMs)));
        a.appendTimestamp(timestampValue(microsOfSecond(s.timeMs)));
        a.appendVarchar(s.service);
        a.appendVarchar(s.instance);
        a.appendVarchar(s.profileId);
        a.appendVarchar(s.profileType);
        a.appendVarchar(s.sampleType);
        a.appendVarchar(s.stackHash);
        a.appendBigInt(BigInt(s.value));
        a.endRow();
      }
    });
    await this.append('metrics', (a) => {
      for (const m of fresh.flatMap((b) => b.metrics ?? [])) {
        a.appendDate(dateValue(dayNumber(m.timeMs)));
        a.appendTimestamp(timestampValue(microsOfSecond(m.timeMs)));
        a.appendVarchar(m.service);
        a.appendVarchar(m.instance);
        a.appendVarchar(m.name);
        a.appendDouble(m.value);
        a.endRow();
      }
    });
    await this.append('events', (a) => {
      for (const e of fresh.flatMap((b) => b.events ?? [])) {
        a.appendDate(dateValue(dayNumber(e.timeMs)));
        a.appendTimestamp(timestampValue(microsOfSecond(e.timeMs)));
        a.appendBigInt(BigInt(e.timeMs));
        a.appendVarchar(e.id);
        a.appendVarchar(e.service);
        a.appendVarchar(e.instance);
        a.appendVarchar(e.kind);
        a.appendDouble(e.value);
        a.appendDouble(e.average);
        a.appendDouble(e.threshold);
        a.appendVarchar(e.reason);
        a.appendList(listValue([...e.profileIds]), VARCHAR_LIST);
        a.appendVarchar(JSON.stringify(e.findings));
        a.endRow();
      }
    });
    await this.append('statuses', (a) => {
      for (const s of fresh.flatMap((b) => b.statuses ?? [])) {
        a.appendDate(dateValue(dayNumber(s.timeMs)));
        a.appendTimestamp(timestampValue(microsOfSecond(s.timeMs)));
        a.appendVarchar(s.service);
        a.appendVarchar(s.instance);
        a.appendVarchar(s.state);
        a.appendVarchar(s.detail);
        a.appendBigInt(BigInt(s.pid));
        a.appendVarchar(s.goVersion);
        a.appendVarchar(s.url);
        const l = labelArrays(s.labels);
        a.appendList(listValue(l.keys), VARCHAR_LIST);
        a.appendList(listValue(l.values), VARCHAR_LIST);
        a.endRow();
      }
    });
    // The ledger goes last: the same transaction commits it with the data.
    const now = Date.now();
    await this.append('ingested', (a) => {
      for (const b of fresh) {
        a.appendDate(dateValue(dayNumber(b.timeMs)));
        a.appendVarchar(b.messageId);
        a.appendTimestamp(timestampValue(BigInt(now) * 1000n));
        a.endRow();
      }
    });
    return { ids: new Set(fresh.map((b) => b.messageId)), stackKeys: stacks.map((s) => s.key) };
  }

  async dropBefore(cutoffMs: number): Promise<readonly string[]> {
    checkRange({ fromMs: cutoffMs, toMs: cutoffMs }, 'cutoffMs');
    const cutoff = lit.date(clampTime(cutoffMs));
    return this.serialized(() =>
      this.transaction(async () => {
        const days = new Set<string>();
        for (const table of DAY_TABLES) {
          const rows = await this.rows(this.writer, `SELECT DISTINCT strftime(date, '%Y-%m-%d') AS day FROM ${table} WHERE date < ${cutoff}`);
          for (const row of rows) days.add(String(row.day));
          await this.writer.run(`DELETE FROM ${table} WHERE date < ${cutoff}`);
        }
        return [...days].sort();
      }),
    );
  }

  async services(range: TimeRange): Promise<readonly ServiceSummary[]> {
    const seen = this.seenRows(range);
    if (seen === undefined) return [];
    const rows = await this.read(
      `SELECT service, count(DISTINCT instance) AS instances, max(ms) AS last_seen FROM (${seen}) GROUP BY service ORDER BY service`,
    );
    return rows.map((r) => ({ service: String(r.service), instances: num(r.instances), lastSeenMs: num(r.last_seen) }));
  }

  async instances(range: TimeRange & { readonly service?: string }): Promise<readonly InstanceSummary[]> {
    if (range.service !== undefined) checkText(range.service, 'service');
    const seen = this.seenRows(range, range.service);
    const days = rangeDays(range);
    if (seen === undefined || days === undefined) return [];
    const seconds = secondBounds(range);
    const service = range.service === undefined ? '' : `AND service = ${lit.string(range.service)}`;
    const secondFilter = `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)} AND time >= ${lit.dateTime(seconds.fromMs)} AND time < ${lit.dateTime(seconds.toMs)} ${service}`;
    const [lastSeen, metrics, states] = await Promise.all([
      this.read(`SELECT service, instance, max(ms) AS last_seen FROM (${seen}) GROUP BY service, instance ORDER BY service, instance`),
      this.read(`SELECT service, instance, name, arg_max(value, time) AS value FROM metrics WHERE ${secondFilter} GROUP BY service, instance, name`),
      this.read(`SELECT service, instance, arg_max(state, time) AS state FROM statuses WHERE ${secondFilter} GROUP BY service, instance`),
    ]);
    return mergeInstanceSummaries(lastSeen, metrics, states);
  }

  /** One row (service, instance, ms) per stored row of any kind in the range. */
  private seenRows(range: TimeRange, service?: string): string | undefined {
    const days = rangeDays(range);
    if (days === undefined) return undefined;
    const seconds = secondBounds(range);
    const day = `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}`;
    const only = service === undefined ? '' : `AND service = ${lit.string(service)}`;
    const bySecond = `${day} AND time >= ${lit.dateTime(seconds.fromMs)} AND time < ${lit.dateTime(seconds.toMs)} ${only}`;
    const byMs = (column: string) => `${day} AND ${column} >= ${lit.integer(range.fromMs)} AND ${column} < ${lit.integer(range.toMs)} ${only}`;
    return [
      `SELECT service, instance, epoch_ms(time) AS ms FROM metrics WHERE ${bySecond}`,
      `SELECT service, instance, epoch_ms(time) AS ms FROM statuses WHERE ${bySecond}`,
      `SELECT service, instance, start_ms AS ms FROM profiles WHERE ${byMs('start_ms')}`,
      `SELECT service, instance, time_ms AS ms FROM events WHERE ${byMs('time_ms')}`,
    ].join(' UNION ALL ');
  }

  async events(filter: EventFilter): Promise<readonly EventRecord[]> {
    checkLimit(filter.limit);
    const days = rangeDays(filter);
    if (days === undefined) return [];
    const where = [
      `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}`,
      `time_ms >= ${lit.integer(filter.fromMs)}`,
      `time_ms < ${lit.integer(filter.toMs)}`,
      ...equalsFilters(lit, { service: filter.service, instance: filter.instance, kind: filter.kind }),
    ];
    const rows = await this.read(
      `SELECT * FROM (SELECT DISTINCT ON (id) ${EVENT_COLUMNS}
       FROM events WHERE ${where.join(' AND ')} ORDER BY id, time_ms) ORDER BY time_ms DESC, id LIMIT ${lit.integer(filter.limit)}`,
    );
    return rows.map(eventRecord);
  }

  async profiles(filter: ProfileFilter): Promise<readonly ProfileMeta[]> {
    checkLimit(filter.limit);
    checkOptionalList(filter.ids, 'ids');
    const days = rangeDays(filter);
    if (days === undefined || filter.ids?.length === 0) return [];
    const where = [
      `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}`,
      `start_ms >= ${lit.integer(filter.fromMs)}`,
      `start_ms < ${lit.integer(filter.toMs)}`,
      ...equalsFilters(lit, { service: filter.service, instance: filter.instance, type: filter.type, trigger_kind: filter.trigger }),
      ...(filter.ids ? [`id IN ${lit.inList(filter.ids)}`] : []),
    ];
    const rows = await this.read(
      `SELECT * FROM (SELECT DISTINCT ON (id) ${PROFILE_META_COLUMNS} FROM profiles WHERE ${where.join(' AND ')} ORDER BY id)
       ORDER BY start_ms DESC, id LIMIT ${lit.integer(filter.limit)}`,
    );
    return rows.map(profileMeta);
  }

  async profile(id: string, within: TimeRange): Promise<ProfileRecord | undefined> {
    checkText(id, 'id');
    const days = rangeDays(within, 'within');
    if (days === undefined) return undefined;
    const rows = await this.read(
      `SELECT ${PROFILE_META_COLUMNS}, pprof_gzip FROM profiles WHERE date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}
       AND id = ${lit.string(id)} AND start_ms >= ${lit.integer(within.fromMs)} AND start_ms < ${lit.integer(within.toMs)} LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return undefined;
    return { ...profileMeta(row), pprofGzip: new Uint8Array(row.pprof_gzip as Uint8Array) };
  }

  async stackTotals(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    checkLimit(limit);
    const where = this.sampleWhere(filter);
    if (where === undefined) return [];
    const totals = await this.read(
      `SELECT stack_hash, sum(value) AS value, count(DISTINCT instance) AS instances FROM samples WHERE ${where}
       GROUP BY stack_hash ORDER BY value DESC, stack_hash LIMIT ${lit.integer(limit)}`,
    );
    if (totals.length === 0) return [];
    const days = rangeDays(filter)!;
    const frames = await this.read(
      `SELECT stack_hash, any_value(frames) AS frames FROM stacks WHERE date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}
       AND service = ${lit.string(filter.service)} AND stack_hash IN ${lit.inList(totals.map((t) => String(t.stack_hash)))} GROUP BY stack_hash`,
    );
    const framesByHash = new Map(frames.map((f) => [String(f.stack_hash), strings(f.frames)]));
    return totals.map((t) => ({
      hash: String(t.stack_hash),
      frames: framesByHash.get(String(t.stack_hash)) ?? [],
      value: num(t.value),
      instances: num(t.instances),
    }));
  }

  /** DuckDB reads are small enough: the instance counts are simply dropped. */
  async stackValues(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    return (await this.stackTotals(filter, limit)).map((t) => ({ ...t, instances: 0 }));
  }

  async instanceTotals(filter: SampleFilter, stackHashes?: readonly string[]): Promise<readonly InstanceTotal[]> {
    checkStackHashes(stackHashes, 'stackHashes');
    const where = this.sampleWhere(filter);
    const profiles = this.profileWhere(filter);
    if (where === undefined || profiles === undefined) return [];
    const stacks = stackHashes === undefined ? '' : stackHashes.length === 0 ? 'AND false' : `AND stack_hash IN ${lit.inList(stackHashes)}`;
    const [values, counts] = await Promise.all([
      this.read(`SELECT instance, sum(value) AS value FROM samples WHERE ${where} ${stacks} GROUP BY instance`),
      this.read(`SELECT instance, count(DISTINCT id) AS profiles FROM profiles WHERE ${profiles} GROUP BY instance`),
    ]);
    return mergeInstanceTotals(filter.service, values, counts);
  }

  /** Samples of the filter, counted only when their profile row (the commit marker) matches. */
  private sampleWhere(filter: SampleFilter): string | undefined {
    const profiles = this.profileWhere(filter);
    const days = rangeDays(filter);
    if (profiles === undefined || days === undefined) return undefined;
    return [
      `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}`,
      `service = ${lit.string(filter.service)}`,
      `profile_type = ${lit.string(filter.profileType)}`,
      `sample_type = ${lit.string(filter.sampleType)}`,
      ...equalsFilters(lit, { instance: filter.instance }),
      `time >= ${lit.dateTime(clampTime(filter.fromMs))}`,
      `time <= ${lit.dateTime(clampTime(filter.toMs - 1))}`,
      `profile_id IN (SELECT id FROM profiles WHERE ${profiles})`,
    ].join(' AND ');
  }

  private profileWhere(filter: SampleFilter): string | undefined {
    checkSampleFilter(filter);
    const days = rangeDays(filter);
    if (days === undefined || filter.profileIds?.length === 0) return undefined;
    return [
      `date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}`,
      `service = ${lit.string(filter.service)}`,
      `type = ${lit.string(filter.profileType)}`,
      `list_contains(sample_types, ${lit.string(filter.sampleType)})`,
      `start_ms >= ${lit.integer(filter.fromMs)}`,
      `start_ms < ${lit.integer(filter.toMs)}`,
      ...equalsFilters(lit, { instance: filter.instance }),
      ...(filter.profileIds ? [`id IN ${lit.inList(filter.profileIds)}`] : []),
    ].join(' AND ');
  }

  async stacksContaining(service: string, fn: string, range: TimeRange): Promise<readonly string[]> {
    checkText(service, 'service');
    checkText(fn, 'fn');
    const days = rangeDays(range);
    if (days === undefined) return [];
    const rows = await this.read(
      `SELECT DISTINCT stack_hash FROM stacks WHERE date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)}
       AND service = ${lit.string(service)} AND list_contains(frames, ${lit.string(fn)}) ORDER BY stack_hash`,
    );
    return rows.map((r) => String(r.stack_hash));
  }

  async metricSeries(filter: MetricSeriesFilter): Promise<readonly MetricSeries[]> {
    checkText(filter.service, 'service');
    checkText(filter.name, 'name');
    checkStep(filter);
    const days = rangeDays(filter);
    if (days === undefined) return [];
    const seconds = secondBounds(filter);
    const step = lit.integer(filter.stepMs);
    // Points are unique per (instance, name, second): a repeated point counts once.
    const rows = await this.read(
      `SELECT service, instance, bucket, avg(value) AS value FROM (
         SELECT service, instance, (epoch_ms(time) // ${step}) * ${step} AS bucket, max(value) AS value FROM metrics
         WHERE date BETWEEN ${lit.date(days.first)} AND ${lit.date(days.last)} AND service = ${lit.string(filter.service)}
         ${equalsFilters(lit, { instance: filter.instance }).map((c) => `AND ${c}`).join(' ')}
         AND name = ${lit.string(filter.name)} AND time >= ${lit.dateTime(seconds.fromMs)} AND time < ${lit.dateTime(seconds.toMs)}
         GROUP BY service, instance, time)
       GROUP BY service, instance, bucket ORDER BY service, instance, bucket`,
    );
    return groupSeries(rows);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
    openFiles.delete(this.file);
  }

  /** Runs `task` after every earlier write: one writer at a time keeps the ledger check and the insert atomic. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('DuckDB store is closed'));
    const run = this.writeChain.then(task, task);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const result = await body();
      await this.writer.run('COMMIT');
      return result;
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async append(table: string, fill: (appender: DuckDBAppender) => void): Promise<void> {
    const appender = await this.writer.createAppender(table);
    try {
      fill(appender);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Reads on a connection of their own, so they never wait for (or see into) a write transaction. */
  private async read(sql: string): Promise<Row[]> {
    if (this.closed) throw new Error('DuckDB store is closed');
    const connection = await this.instance.connect();
    try {
      return await this.rows(connection, sql);
    } finally {
      connection.closeSync();
    }
  }

  private async rows(connection: DuckDBConnection, sql: string): Promise<Row[]> {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS();
  }
}
