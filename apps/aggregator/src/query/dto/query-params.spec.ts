import { isPrintableText } from './query-params';

describe('isPrintableText', () => {
  it('accepts ordinary names, SQL metacharacters and non-ASCII text', () => {
    for (const text of ['checkout', "x' OR '1'='1", 'a\\b', 'Zürich-1', 'main.(*T).Run', 'emoji 🐹']) expect(isPrintableText(text)).toBe(true);
  });

  it('refuses control characters, DEL and lone surrogates', () => {
    for (const text of ['a\nb', 'a\u0000', '\t', 'a\u007f', '\ud800', 'x\udc00y', '\ud83dx']) expect(isPrintableText(text)).toBe(false);
    expect(isPrintableText(5)).toBe(false);
  });
});
