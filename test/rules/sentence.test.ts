import { describe, expect, it } from 'vitest';
import { sentenceStart } from '../../src/rules/sentence.ts';

describe('sentenceStart', () => {
  it('upper-cases the first character of a lower-case fragment', () => {
    expect(sentenceStart('pre-shared key mismatch')).toBe('Pre-shared key mismatch');
    expect(sentenceStart('customer gateway deleted the IKE SA')).toBe(
      'Customer gateway deleted the IKE SA',
    );
  });

  it('never lower-cases the rest: acronyms keep their casing', () => {
    expect(sentenceStart('BGP hold timer expired')).toBe('BGP hold timer expired');
    expect(sentenceStart('IPsec proposal mismatch')).toBe('IPsec proposal mismatch');
    expect(sentenceStart('route denied: own AS in AS path')).toBe(
      'Route denied: own AS in AS path',
    );
  });

  it('leaves an empty text empty', () => {
    expect(sentenceStart('')).toBe('');
  });
});
