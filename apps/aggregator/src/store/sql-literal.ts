/**
 * The one way a value enters SQL text. Both stores build queries as text (ClickHouse 18.16 has no
 * `{name:Type}` parameters), so every string, number, date and list goes through here, escaped
 * for its dialect; nothing else in the store escapes by hand. Bad values throw SqlLiteralError
 * naming what was wrong instead of producing SQL that means something else.
 */

export type SqlDialect = 'clickhouse' | 'duckdb';

export class SqlLiteralError extends Error {
  override readonly name = 'SqlLiteralError';
}

/** The literal writers of one dialect. */
export interface SqlLiterals {
  readonly dialect: SqlDialect;
  /** A quoted string literal. */
  string(value: string): string;
  /** A finite number (Float64 / DOUBLE). */
  number(value: number): string;
  /** A whole number: a safe JavaScript integer, or a bigint within Int64 or UInt64. */
  integer(value: number | bigint): string;
  /** An array literal of strings: `['a', 'b']` (Array(String) / VARCHAR[]). */
  strings(values: readonly string[]): string;
  /** A parenthesised list for `x IN (...)`; an empty list has no valid SQL, so it throws. */
  inList(values: readonly string[]): string;
  /** A parenthesised list of integers for `x IN (...)`; throws when empty. */
  inIntegers(values: readonly (number | bigint)[]): string;
  /** A Date from `YYYY-MM-DD` or from unix milliseconds (its UTC day). */
  date(day: string | number): string;
  /** A DateTime / TIMESTAMP at whole-second precision (floor) from unix milliseconds. */
  dateTime(ms: number): string;
  /** A table, database or cluster name: letters, digits and `_`, written bare. */
  identifier(name: string): string;
}

// ClickHouse reads C-style escapes inside '...'; these are the characters that must not appear raw.
const CLICKHOUSE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\r': '\\r',
  '\n': '\\n',
  '\t': '\\t',
};
const CLICKHOUSE_SPECIAL = /[\\'\0\b\f\r\n\t]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const INT64_MIN = -(2n ** 63n);
/** Int64 and UInt64 together: stack hashes are UInt64. */
const UINT64_MAX = 2n ** 64n - 1n;
/** DateTime (UInt32 seconds) ends in 2106; Date (UInt16 days) in 2149 on ClickHouse. */
const MAX_DATETIME_MS = 4_294_967_295_000;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function checkString(value: string): void {
  if (typeof value !== 'string') throw new SqlLiteralError(`SQL string literal: expected a string, got ${typeof value}`);
  // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD and never match again.
  if (LONE_SURROGATE.test(value)) throw new SqlLiteralError(`SQL string literal: ${describe(value)} contains a lone UTF-16 surrogate (not valid Unicode)`);
}

function clickhouseString(value: string): string {
  checkString(value);
  return `'${value.replace(CLICKHOUSE_SPECIAL, (c) => CLICKHOUSE_ESCAPES[c] ?? c)}'`;
}

function duckdbString(value: string): string {
  checkString(value);
  // DuckDB strings are standard SQL: only the quote is doubled, backslashes are ordinary; a NUL
  // cannot be written at all (the parser stops there), so it is refused rather than cut off.
  if (value.includes('\0')) throw new SqlLiteralError(`SQL string literal: ${describe(value)} contains a NUL character, which DuckDB cannot store in a literal`);
  return `'${value.replace(/'/g, "''")}'`;
}

function number(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SqlLiteralError(`SQL number literal: ${describe(value)} is not a finite number`);
  // Parenthesised so a negative value can follow any operator; exponent form (1e+300) is valid in both dialects.
  return value < 0 ? `(${String(value)})` : String(value);
}

function integer(value: number | bigint): string {
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > UINT64_MAX) throw new SqlLiteralError(`SQL integer literal: ${value} is outside Int64 and UInt64`);
    return value < 0n ? `(${value})` : String(value);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new SqlLiteralError(`SQL integer literal: ${describe(value)} is not a safe integer`);
  return value < 0 ? `(${value})` : String(value);
}

/** `YYYY-MM-DD` of a day given as text (validated) or as unix milliseconds (its UTC day). */
export function utcDay(day: string | number): string {
  if (typeof day === 'number') {
    if (!Number.isFinite(day) || day < 0 || day > MAX_DATETIME_MS) throw new SqlLiteralError(`SQL date literal: ${describe(day)} ms is not a time between 1970 and 2106`);
    return new Date(day).toISOString().slice(0, 10);
  }
  const match = DAY.exec(day);
  if (!match || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day || Number(match[1]) < 1970) {
    throw new SqlLiteralError(`SQL date literal: ${describe(day)} is not a day written YYYY-MM-DD from 1970 on`);
  }
  return day;
}

function wholeSeconds(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_DATETIME_MS) {
    throw new SqlLiteralError(`SQL DateTime literal: ${describe(ms)} ms is not a time between 1970 and 2106`);
  }
  return Math.floor(ms / 1000);
}

function identifier(name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new SqlLiteralError(`SQL identifier: ${describe(name)} is not letters, digits and _ (not starting with a digit)`);
  return name;
}

function build(dialect: SqlDialect, quote: (value: string) => string, date: (day: string) => string, dateTime: (seconds: number) => string): SqlLiterals {
  return Object.freeze({
    dialect,
    string: quote,
    number,
    integer,
    strings: (values: readonly string[]) => `[${values.map(quote).join(', ')}]`,
    inList: (values: readonly string[]) => {
      if (values.length === 0) throw new SqlLiteralError('SQL IN list: the list is empty (the caller must handle "none")');
      return `(${values.map(quote).join(', ')})`;
    },
    inIntegers: (values: readonly (number | bigint)[]) => {
      if (values.length === 0) throw new SqlLiteralError('SQL IN list: the list is empty (the caller must handle "none")');
      return `(${values.map(integer).join(', ')})`;
    },
    date: (day: string | number) => date(utcDay(day)),
    dateTime: (ms: number) => dateTime(wholeSeconds(ms)),
    identifier,
  });
}

const LITERALS: Readonly<Record<SqlDialect, SqlLiterals>> = {
  // ClickHouse converts a quoted YYYY-MM-DD to Date where a Date is compared, and toDateTime(n)
  // reads unix seconds whatever the server's time zone.
  clickhouse: build('clickhouse', clickhouseString, (day) => `toDate('${day}')`, (seconds) => `toDateTime(${seconds})`),
  // epoch_ms gives a naive TIMESTAMP in UTC, the form the DuckDB tables keep.
  duckdb: build('duckdb', duckdbString, (day) => `DATE '${day}'`, (seconds) => `epoch_ms(${seconds * 1000})`),
};

export function sqlLiterals(dialect: SqlDialect): SqlLiterals {
  const literals = LITERALS[dialect];
  if (!literals) throw new SqlLiteralError(`SQL dialect: ${describe(dialect)} is not clickhouse or duckdb`);
  return literals;
}
