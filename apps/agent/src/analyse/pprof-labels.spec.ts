import { parsePprofLabels } from './pprof-labels';

describe('parsePprofLabels', () => {
  it.each([
    ['debug=1 form', '{"handler":"/api/work", "tenant":"acme"}', { handler: '/api/work', tenant: 'acme' }],
    ['traceback form (Go 1.26+)', 'labels:{"handler": "/api/work", "tenant": "acme"}', { handler: '/api/work', tenant: 'acme' }],
    ['Go escapes', '{"k":"a\\"b\\\\c\\td\\x00\\u00e9"}', { k: 'a"b\\c\td\x00é' }],
    ['brackets and commas in values', '{"q":"[a, b]: c"}', { q: '[a, b]: c' }],
  ])('reads the %s', (_what, text, labels) => {
    expect(parsePprofLabels(text)).toEqual(labels);
  });

  it('returns undefined when there is no pair', () => {
    expect(parsePprofLabels('{}')).toBeUndefined();
    expect(parsePprofLabels('')).toBeUndefined();
  });
});
