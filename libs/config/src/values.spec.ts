import { ValueError } from './errors';
import { formatHostPort, parseBoolean, parseBytes, parseDuration, parseHostPort, parseHttpUrl, parseInteger, parseLabel } from './values';

describe('value parsers', () => {
  it.each([
    ['1s', 1000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['5m', 300_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
  ])('parses duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 's', '1 s', '-1s', '1y', '1s2'])('rejects duration %j', (text) => {
    expect(() => parseDuration(text)).toThrow(ValueError);
    expect(() => parseDuration(text)).toThrow(/duration such as/);
  });

  it.each([
    ['268435456', 268435456],
    ['256MiB', 268435456],
    ['1GiB', 1073741824],
    ['500MB', 500_000_000],
    ['64k', 65536],
  ])('parses size %s', (text, n) => expect(parseBytes(text)).toBe(n));

  it.each(['', 'MiB', '1XB', '-5', '1e3'])('rejects size %j', (text) => expect(() => parseBytes(text)).toThrow(/size such as/));

  it('parses host:port forms and formats them back', () => {
    expect(parseHostPort('127.0.0.1:7171')).toEqual({ host: '127.0.0.1', port: 7171 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:7171')).toEqual({ host: '::1', port: 7171 });
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(formatHostPort({ host: 'a.b', port: 2 })).toBe('a.b:2');
  });

  it.each(['7171', 'host:', ':80', 'host:99999', 'a b:1', '::1:80'])('rejects host:port %j', (text) =>
    expect(() => parseHostPort(text)).toThrow(/HOST:PORT/),
  );

  it('bounds integers', () => {
    expect(parseInteger('42', 0, 100)).toBe(42);
    expect(() => parseInteger('101', 0, 100)).toThrow('expected a whole number from 0 to 100');
    expect(() => parseInteger('4.2')).toThrow(ValueError);
  });

  it('parses booleans', () => {
    expect(parseBoolean('TRUE')).toBe(true);
    expect(parseBoolean('off')).toBe(false);
    expect(() => parseBoolean('maybe')).toThrow('expected true or false');
  });

  it('accepts only http(s) URLs', () => {
    expect(parseHttpUrl('http://127.0.0.1:6060').port).toBe('6060');
    expect(() => parseHttpUrl('file:///etc/passwd')).toThrow(/http:\/\//);
    expect(() => parseHttpUrl('not a url')).toThrow(/http:\/\//);
  });

  it('parses labels and rejects names that are not Prometheus label names', () => {
    expect(parseLabel('zone=eu-1')).toEqual(['zone', 'eu-1']);
    expect(parseLabel('empty=')).toEqual(['empty', '']);
    expect(() => parseLabel('=x')).toThrow(ValueError);
    expect(() => parseLabel('1a=x')).toThrow(ValueError);
    expect(() => parseLabel('novalue')).toThrow(ValueError);
    expect(() => parseLabel(`k=${'v'.repeat(257)}`)).toThrow(ValueError);
  });
});
