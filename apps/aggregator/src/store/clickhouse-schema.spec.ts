import { DEFAULT_SCHEMA_DIR, loadMigrations, parseServerVersion, renderStatement, schemaValues, splitStatements } from './clickhouse-schema';

describe('ClickHouse schema files', () => {
  it('splits statements at a ; that ends a line and drops comment lines', () => {
    expect(splitStatements("-- a comment; with a semicolon\nCREATE TABLE a (x String DEFAULT ';');\n\nSELECT 1;\n-- end")).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      'SELECT 1',
    ]);
  });

  it('loads deploy/clickhouse: version 1 with the seven tables, single and cluster', () => {
    const single = loadMigrations('single');
    expect(single.map((m) => [m.version, m.name])).toEqual([[1, 'schema']]);
    const tables = (statements: readonly string[]) => statements.map((s) => /CREATE TABLE IF NOT EXISTS \{\{database\}\}\.(\w+)/.exec(s)?.[1]);
    expect(tables(single[0].statements)).toEqual(['profiles', 'stacks', 'samples', 'metrics', 'events', 'statuses', 'ingested']);
    const cluster = loadMigrations('cluster');
    expect(tables(cluster[0].statements)).toEqual([
      ...['profiles', 'stacks', 'samples', 'metrics', 'events', 'statuses', 'ingested'].map((t) => `${t}_local`),
      ...['profiles', 'stacks', 'samples', 'metrics', 'events', 'statuses', 'ingested'],
    ]);
    // A stack lives on the shard of its samples: both are sharded by the stack hash.
    expect(cluster[0].statements.filter((s) => s.includes('Distributed(') && s.endsWith(', stack_hash)')).length).toBe(2);
  });

  it('renders every statement with no placeholder left, and refuses an unknown one', () => {
    const values = schemaValues(parseServerVersion('18.16.1'), 'stackwatch', 'fleet');
    for (const statement of [...loadMigrations('single'), ...loadMigrations('cluster')].flatMap((m) => m.statements)) {
      expect(renderStatement(statement, values)).not.toMatch(/\{\{|\}\}/);
    }
    expect(() => renderStatement('CREATE TABLE {{databse}}.x', values)).toThrow(/unknown placeholder \{\{databse\}\}/);
  });

  it('gives the cluster local tables ReplacingMergeTree, or with replicated their own replication path', () => {
    const cluster = loadMigrations('cluster').flatMap((m) => m.statements);
    const plain = cluster.map((s) => renderStatement(s, schemaValues(parseServerVersion('23.8.2.7'), 'sw', 'fleet')));
    const replicated = cluster.map((s) => renderStatement(s, schemaValues(parseServerVersion('23.8.2.7'), 'sw', 'fleet', true)));
    expect(plain.filter((s) => s.includes('ENGINE = ReplacingMergeTree\n'))).toHaveLength(7);
    expect(replicated.filter((s) => /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/sw\/\w+_local', '\{replica\}'\)/.test(s))).toHaveLength(7);
    expect(replicated.find((s) => s.includes('.samples_local'))).toContain("'/clickhouse/tables/{shard}/sw/samples_local'");
  });

  it('uses LowCardinality(String) only where the server has it as a plain type', () => {
    expect(schemaValues(parseServerVersion('18.16.1'), 'db')['LowCardinality(String)']).toBe('String');
    expect(schemaValues(parseServerVersion('23.8.2.7'), 'db')['LowCardinality(String)']).toBe('LowCardinality(String)');
    expect(() => parseServerVersion('unknown')).toThrow(/cannot read the server version/);
  });

  it('names a missing schema folder', () => {
    expect(() => loadMigrations('single', `${DEFAULT_SCHEMA_DIR}/nope`)).toThrow(/cannot read the migrations folder/);
  });
});
