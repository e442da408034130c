import { describe, expect, it } from 'vitest';
import { keyPart, MAX_KEY_PART } from '../../src/rules/key-part.ts';

describe('keyPart', () => {
  it('keeps short values as they are', () => {
    expect(keyPart('203.0.113.5')).toBe('203.0.113.5');
  });

  it('bounds long values and keeps different ones apart', () => {
    const a = `${'u'.repeat(500)}a`;
    const b = `${'u'.repeat(500)}b`;
    expect(keyPart(a)).toHaveLength(MAX_KEY_PART);
    expect(keyPart(a)).not.toBe(keyPart(b));
    expect(keyPart(a)).toBe(keyPart(a));
  });
});
