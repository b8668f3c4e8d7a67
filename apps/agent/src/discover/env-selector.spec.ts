import { matchesEnv, parseEnvSelector } from './env-selector';

describe('--discover-env selectors', () => {
  it('parses NAME and NAME=VALUE (the value may hold = and be empty)', () => {
    expect(parseEnvSelector('STACKWATCH_SERVICE')).toEqual({ name: 'STACKWATCH_SERVICE' });
    expect(parseEnvSelector('TEAM=payments')).toEqual({ name: 'TEAM', value: 'payments' });
    expect(parseEnvSelector('OPTS=a=b')).toEqual({ name: 'OPTS', value: 'a=b' });
    expect(parseEnvSelector('EMPTY=')).toEqual({ name: 'EMPTY', value: '' });
  });

  it.each(['', '=x', '1ABC', 'A-B=c', 'A B'])('refuses %j', (text) => {
    expect(() => parseEnvSelector(text)).toThrow('NAME or NAME=VALUE');
  });

  it('needs every selector to match', () => {
    const env = new Map([['TEAM', 'payments'], ['STACKWATCH_SERVICE', 'checkout']]);
    expect(matchesEnv(env, [])).toBe(true);
    expect(matchesEnv(env, [{ name: 'TEAM' }, { name: 'STACKWATCH_SERVICE', value: 'checkout' }])).toBe(true);
    expect(matchesEnv(env, [{ name: 'TEAM', value: 'search' }])).toBe(false);
    expect(matchesEnv(env, [{ name: 'TEAM' }, { name: 'ZONE' }])).toBe(false);
  });
});
