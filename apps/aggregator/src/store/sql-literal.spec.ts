import { SqlLiteralError, sqlLiterals, utcDay } from './sql-literal';

const clickhouse = sqlLiterals('clickhouse');
const duckdb = sqlLiterals('duckdb');

describe('sql-literal: strings', () => {
  it.each([
    ['plain', 'checkout', "'checkout'"],
    ['a quote', "it's", "'it\\'s'"],
    ['a backslash', 'a\\b', "'a\\\\b'"],
    ['a backslash before a quote', "\\'", "'\\\\\\''"],
    ['NUL', 'a\0b', "'a\\0b'"],
    ['control characters', '\b\f\r\n\t', "'\\b\\f\\r\\n\\t'"],
    ['an injection attempt', "'; DROP TABLE x; --", "'\\'; DROP TABLE x; --'"],
    ['unicode', 'naïve 服务 🚀', "'naïve 服务 🚀'"],
  ])('ClickHouse escapes %s with backslashes', (_what, value, expected) => {
    expect(clickhouse.string(value)).toBe(expected);
  });

  it.each([
    ['a quote', "it's", "'it''s'"],
    ['a backslash (ordinary in standard SQL)', 'a\\b', "'a\\b'"],
    ['newlines (kept raw)', 'a\nb', "'a\nb'"],
    ['an injection attempt', "'; DROP TABLE x; --", "'''; DROP TABLE x; --'"],
    ['unicode', 'naïve 服务 🚀', "'naïve 服务 🚀'"],
  ])('DuckDB doubles quotes only: %s', (_what, value, expected) => {
    expect(duckdb.string(value)).toBe(expected);
  });

  it('DuckDB refuses NUL, which its parser cannot read inside a literal', () => {
    expect(() => duckdb.string('a\0b')).toThrow(SqlLiteralError);
    expect(() => duckdb.string('a\0b')).toThrow(/NUL/);
  });

  it('refuses lone surrogates in both dialects (they have no UTF-8 form)', () => {
    for (const literals of [clickhouse, duckdb]) {
      expect(() => literals.string('a\uD800b')).toThrow(/lone UTF-16 surrogate/);
      expect(() => literals.string('\uDC00')).toThrow(SqlLiteralError);
      expect(literals.string('🚀')).toContain('🚀');
    }
  });

  it('refuses non-strings with the type named', () => {
    expect(() => clickhouse.string(5 as unknown as string)).toThrow(/expected a string, got number/);
  });
});

describe('sql-literal: numbers', () => {
  it('writes finite numbers, negatives in parentheses', () => {
    expect(clickhouse.number(1.5)).toBe('1.5');
    expect(clickhouse.number(-2)).toBe('(-2)');
    expect(duckdb.number(1e300)).toBe('1e+300');
    expect(clickhouse.number(0)).toBe('0');
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p', (value) => {
    expect(() => clickhouse.number(value)).toThrow(/not a finite number/);
    expect(() => duckdb.integer(value)).toThrow(/not a safe integer/);
  });

  it('writes integers and refuses fractions and unsafe numbers', () => {
    expect(clickhouse.integer(42)).toBe('42');
    expect(clickhouse.integer(-7)).toBe('(-7)');
    expect(clickhouse.integer(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(clickhouse.integer(-(2n ** 63n))).toBe('(-9223372036854775808)');
    expect(() => clickhouse.integer(1.5)).toThrow(/not a safe integer/);
    expect(() => clickhouse.integer(2 ** 53)).toThrow(/not a safe integer/);
    expect(clickhouse.integer(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(() => clickhouse.integer(2n ** 64n)).toThrow(/outside Int64 and UInt64/);
    expect(() => clickhouse.integer(-(2n ** 63n) - 1n)).toThrow(/outside Int64 and UInt64/);
  });
});

describe('sql-literal: arrays and IN lists', () => {
  it('writes string arrays with each element escaped', () => {
    expect(clickhouse.strings(['a', "b'c"])).toBe("['a', 'b\\'c']");
    expect(duckdb.strings(['a', "b'c"])).toBe("['a', 'b''c']");
    expect(clickhouse.strings([])).toBe('[]');
  });

  it('writes IN lists and refuses an empty one', () => {
    expect(clickhouse.inList(['x', 'y'])).toBe("('x', 'y')");
    expect(() => duckdb.inList([])).toThrow(/empty/);
  });

  it('writes integer IN lists (64-bit values as bigint) and refuses empty or unsafe ones', () => {
    expect(clickhouse.inIntegers([1, 2n ** 64n - 1n, -3])).toBe('(1, 18446744073709551615, (-3))');
    expect(() => clickhouse.inIntegers([])).toThrow(/empty/);
    expect(() => clickhouse.inIntegers([0.5])).toThrow(/not a safe integer/);
  });
});

describe('sql-literal: dates and times', () => {
  it('writes days from text or from milliseconds (UTC)', () => {
    expect(clickhouse.date('2026-11-26')).toBe("toDate('2026-11-26')");
    expect(duckdb.date(Date.UTC(2026, 10, 26, 23, 59, 59, 999))).toBe("DATE '2026-11-26'");
    expect(utcDay(0)).toBe('1970-01-01');
  });

  it.each(['2026-02-30', '26-11-26', '2026-11-26; DROP', '1969-12-31', ''])('refuses the day %p', (day) => {
    expect(() => clickhouse.date(day)).toThrow(/not a day written YYYY-MM-DD/);
  });

  it('writes DateTime at whole seconds (floor) and refuses times outside 1970..2106', () => {
    expect(clickhouse.dateTime(1_764_115_200_999)).toBe('toDateTime(1764115200)');
    expect(duckdb.dateTime(1_764_115_200_999)).toBe('epoch_ms(1764115200000)');
    expect(() => clickhouse.dateTime(-1)).toThrow(/between 1970 and 2106/);
    expect(() => duckdb.dateTime(NaN)).toThrow(SqlLiteralError);
    expect(() => clickhouse.date(5e15)).toThrow(/between 1970 and 2106/);
  });
});

describe('sql-literal: identifiers and dialects', () => {
  it('accepts plain names and refuses anything else', () => {
    expect(clickhouse.identifier('stackwatch_1')).toBe('stackwatch_1');
    expect(() => clickhouse.identifier('a-b')).toThrow(/not letters, digits and _/);
    expect(() => duckdb.identifier('1abc')).toThrow(SqlLiteralError);
    expect(() => duckdb.identifier('x; DROP TABLE y')).toThrow(SqlLiteralError);
  });

  it('names an unknown dialect', () => {
    expect(() => sqlLiterals('postgres' as 'duckdb')).toThrow(/"postgres" is not clickhouse or duckdb/);
  });
});
