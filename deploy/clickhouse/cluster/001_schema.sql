-- stackwatch ClickHouse schema, version 1: cluster (one set of *_local tables per shard, read and
-- written through Distributed tables of the same names as the single-node schema).
--
-- Run every statement on every host of the cluster. The aggregator does this itself over each
-- host's HTTP interface (hosts from system.clusters) instead of ON CLUSTER, which needs ZooKeeper;
-- with ZooKeeper you may add ON CLUSTER to each statement and run it once.
-- Placeholders: {{database}}, {{cluster}} (--clickhouse-cluster), {{ReplacingMergeTree:<table>}}
-- (ReplicatedReplacingMergeTree with its ZooKeeper path under --clickhouse-replicated), {{LowCardinality(String)}} as in
-- ../001_schema.sql. Samples and stacks are sharded by the stack hash, so a stack's frames live on
-- the shard that holds its samples. Columns: docs/schema.md.

-- One row per captured profile, with what triggered it and the original gzipped pprof (base64:
-- String cannot carry raw bytes through the JSON inserts the aggregator uses).
CREATE TABLE IF NOT EXISTS {{database}}.profiles_local
(
    date Date,
    time DateTime,
    start_ms Int64,
    duration_ms Int64,
    id String,
    copy_id UInt64,
    service {{LowCardinality(String)}},
    instance {{LowCardinality(String)}},
    label_keys Array(String),
    label_values Array(String),
    pid UInt32,
    go_version String,
    type {{LowCardinality(String)}},
    trigger_kind {{LowCardinality(String)}},
    trigger_name String,
    trigger_value Float64,
    trigger_average Float64,
    trigger_threshold Float64,
    trigger_event_id String,
    sample_types Array(String),
    sample_units Array(String),
    pprof_base64 String
)
ENGINE = {{ReplacingMergeTree:profiles_local}}
PARTITION BY date
ORDER BY (service, type, time, instance, id);

-- Root-first frames of each stack, once per (service, stack, day). stack_hash is libs/pprof
-- stackHash() (16 hex digits) read as a number; back to hex on any version:
-- lower(substring(concat('000000000000000', hex(stack_hash)), length(hex(stack_hash)), 16))
CREATE TABLE IF NOT EXISTS {{database}}.stacks_local
(
    date Date,
    service {{LowCardinality(String)}},
    stack_hash UInt64,
    frames Array(String)
)
ENGINE = {{ReplacingMergeTree:stacks_local}}
PARTITION BY date
ORDER BY (service, stack_hash);

-- One row per (profile, sample type, stack) with a non-zero value: the table hot-spot queries scan.
-- series (a 64-bit hash of service, profile_type and sample_type) and hour (the UTC hour of time)
-- are computed by the aggregator and lead the sort key: on 18.16 every WHERE condition is evaluated
-- per row, and one UInt64 compare is far cheaper than three String compares (and 18.16 cannot
-- derive hour bounds from time bounds). Your own SQL may filter on the three columns instead.
-- copy_id ends the key so two copies of one message never collapse into each other (queries pick
-- one copy per profile); identical re-inserts do.
CREATE TABLE IF NOT EXISTS {{database}}.samples_local
(
    date Date,
    time DateTime,
    hour DateTime,
    series UInt64,
    service {{LowCardinality(String)}},
    instance {{LowCardinality(String)}},
    profile_id String,
    copy_id UInt64,
    profile_type {{LowCardinality(String)}},
    sample_type {{LowCardinality(String)}},
    stack_hash UInt64,
    value Int64
)
ENGINE = {{ReplacingMergeTree:samples_local}}
PARTITION BY date
ORDER BY (series, hour, stack_hash, instance, time, copy_id);

-- Target metrics the agent samples (cpu_percent, rss_bytes, goroutines, ...), one row per point.
CREATE TABLE IF NOT EXISTS {{database}}.metrics_local
(
    date Date,
    time DateTime,
    service {{LowCardinality(String)}},
    instance {{LowCardinality(String)}},
    name {{LowCardinality(String)}},
    value Float64
)
ENGINE = {{ReplacingMergeTree:metrics_local}}
PARTITION BY date
ORDER BY (service, name, instance, time);

-- Rule firings and analysis findings; findings are JSON text.
CREATE TABLE IF NOT EXISTS {{database}}.events_local
(
    date Date,
    time DateTime,
    time_ms Int64,
    id String,
    service {{LowCardinality(String)}},
    instance {{LowCardinality(String)}},
    kind {{LowCardinality(String)}},
    value Float64,
    average Float64,
    threshold Float64,
    reason String,
    profile_ids Array(String),
    findings String
)
ENGINE = {{ReplacingMergeTree:events_local}}
PARTITION BY date
ORDER BY (service, time, id);

-- Target states as agents report them (UP, DOWN, RESTARTED, DEGRADED).
CREATE TABLE IF NOT EXISTS {{database}}.statuses_local
(
    date Date,
    time DateTime,
    service {{LowCardinality(String)}},
    instance {{LowCardinality(String)}},
    state {{LowCardinality(String)}},
    detail String,
    pid UInt32,
    go_version String,
    url String,
    label_keys Array(String),
    label_values Array(String)
)
ENGINE = {{ReplacingMergeTree:statuses_local}}
PARTITION BY date
ORDER BY (service, instance, time, state);

-- The ledger: one row per stored agent message, written after its data; it makes writes idempotent.
CREATE TABLE IF NOT EXISTS {{database}}.ingested_local
(
    date Date,
    message_id String,
    written_at DateTime
)
ENGINE = {{ReplacingMergeTree:ingested_local}}
PARTITION BY date
ORDER BY message_id;

-- The Distributed tables the aggregator reads and writes; the last argument is the sharding key.
CREATE TABLE IF NOT EXISTS {{database}}.profiles AS {{database}}.profiles_local
ENGINE = Distributed({{cluster}}, {{database}}, profiles_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS {{database}}.stacks AS {{database}}.stacks_local
ENGINE = Distributed({{cluster}}, {{database}}, stacks_local, stack_hash);

CREATE TABLE IF NOT EXISTS {{database}}.samples AS {{database}}.samples_local
ENGINE = Distributed({{cluster}}, {{database}}, samples_local, stack_hash);

CREATE TABLE IF NOT EXISTS {{database}}.metrics AS {{database}}.metrics_local
ENGINE = Distributed({{cluster}}, {{database}}, metrics_local, cityHash64(service, instance));

CREATE TABLE IF NOT EXISTS {{database}}.events AS {{database}}.events_local
ENGINE = Distributed({{cluster}}, {{database}}, events_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS {{database}}.statuses AS {{database}}.statuses_local
ENGINE = Distributed({{cluster}}, {{database}}, statuses_local, cityHash64(service, instance));

CREATE TABLE IF NOT EXISTS {{database}}.ingested AS {{database}}.ingested_local
ENGINE = Distributed({{cluster}}, {{database}}, ingested_local, cityHash64(message_id));
