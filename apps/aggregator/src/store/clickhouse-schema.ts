import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The versioned ClickHouse schema in deploy/clickhouse/ (single node) and deploy/clickhouse/cluster/:
 * files `NNN_name.sql`, each a list of statements with {{placeholders}}. The files are the one
 * source of truth, for the store's init() and for anyone applying them by hand.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements still holding their placeholders. */
  readonly statements: readonly string[];
}

export type SchemaVariant = 'single' | 'cluster';

/** deploy/clickhouse from this file, whether it runs from src/store or dist/store. */
export const DEFAULT_SCHEMA_DIR = resolve(__dirname, '../../../../deploy/clickhouse');

const FILE = /^(\d{3})_([A-Za-z0-9_]+)\.sql$/;
const PLACEHOLDER = /\{\{([^}]+)\}\}/g;

/** Splits a file into statements: `--` comment lines dropped, statements end with `;` at a line end. */
export function splitStatements(sql: string): string[] {
  const code = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return code
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}

export function loadMigrations(variant: SchemaVariant, dir = DEFAULT_SCHEMA_DIR): Migration[] {
  const folder = variant === 'single' ? dir : join(dir, 'cluster');
  let files: string[];
  try {
    files = readdirSync(folder);
  } catch (err) {
    throw new Error(`ClickHouse schema: cannot read the migrations folder ${folder} (${(err as Error).message})`, { cause: err });
  }
  const migrations = files
    .flatMap((file) => {
      const match = FILE.exec(file);
      if (!match) return [];
      return [{ version: Number(match[1]), name: match[2], statements: splitStatements(readFileSync(join(folder, file), 'utf8')) }];
    })
    .sort((a, b) => a.version - b.version);
  if (migrations.length === 0) throw new Error(`ClickHouse schema: no NNN_name.sql files in ${folder}`);
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`ClickHouse schema: two files share a version number in ${folder}`);
  return migrations;
}

/** Fills the placeholders; an unknown one is an error (a typo must not reach the server). */
export function renderStatement(statement: string, values: Readonly<Record<string, string>>): string {
  return statement.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`ClickHouse schema: unknown placeholder ${whole} (known: ${Object.keys(values).join(', ')})`);
    return value;
  });
}

/** The ClickHouse release, from `SELECT version()` (e.g. "18.16.1", "23.8.2.7"). */
export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly text: string;
}

export function parseServerVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!match) throw new Error(`ClickHouse: cannot read the server version from ${JSON.stringify(text)}`);
  return { major: Number(match[1]), minor: Number(match[2]), text: text.trim() };
}

/**
 * Newer features used only where the server has them: LowCardinality(String) (18.16 has it only
 * behind allow_experimental_low_cardinality_type; it is a plain type from 19.x, 20.1 to be safe).
 */
/** The cluster schema's local tables: each gets its engine through `{{ReplacingMergeTree:<table>}}`. */
export const CLUSTER_LOCAL_TABLES = ['profiles_local', 'stacks_local', 'samples_local', 'metrics_local', 'events_local', 'statuses_local', 'ingested_local'] as const;

/**
 * Placeholder values of the schema files. With a cluster, each local table's engine: plain
 * ReplacingMergeTree, or (`replicated`) ReplicatedReplacingMergeTree keeping its replicas in step
 * through ZooKeeper/Keeper under /clickhouse/tables/{shard}/<database>/<table> (the `{shard}` and
 * `{replica}` macros come from each server's config).
 */
export function schemaValues(version: ServerVersion, database: string, cluster?: string, replicated = false): Record<string, string> {
  const lowCardinality = version.major >= 20 ? 'LowCardinality(String)' : 'String';
  const values: Record<string, string> = { database, 'LowCardinality(String)': lowCardinality };
  if (cluster === undefined) return values;
  values.cluster = cluster;
  for (const table of CLUSTER_LOCAL_TABLES) {
    values[`ReplacingMergeTree:${table}`] = replicated ? `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${database}/${table}', '{replica}')` : 'ReplacingMergeTree';
  }
  return values;
}
