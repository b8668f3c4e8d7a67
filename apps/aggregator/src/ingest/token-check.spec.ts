import { Metadata } from '@grpc/grpc-js';
import { presentsToken } from './token-check';

const withAuthorization = (...values: string[]) => {
  const metadata = new Metadata();
  for (const value of values) metadata.add('authorization', value);
  return metadata;
};

describe('presentsToken', () => {
  it('lets every stream in when no token is configured', () => {
    expect(presentsToken(undefined, '', new Metadata())).toBe(true);
  });

  it('accepts the token from the hello', () => {
    expect(presentsToken('s3cret', 's3cret', new Metadata())).toBe(true);
  });

  it('accepts the token as authorization: Bearer metadata, the scheme in any case', () => {
    expect(presentsToken('s3cret', '', withAuthorization('Bearer s3cret'))).toBe(true);
    expect(presentsToken('s3cret', '', withAuthorization('bearer s3cret'))).toBe(true);
    expect(presentsToken('s3cret', 'wrong', withAuthorization('Basic abc', 'Bearer s3cret'))).toBe(true);
  });

  it('refuses a missing, empty, wrong or merely prefixed token', () => {
    expect(presentsToken('s3cret', '', new Metadata())).toBe(false);
    expect(presentsToken('s3cret', 's3cre', new Metadata())).toBe(false);
    expect(presentsToken('s3cret', 's3cret-and-more', new Metadata())).toBe(false);
    expect(presentsToken('s3cret', '', withAuthorization('s3cret'))).toBe(false);
    expect(presentsToken('s3cret', '', withAuthorization('Bearer '))).toBe(false);
  });
});
