import { describe, expect, it } from 'vitest';
import { rememberBounded } from '../../src/sources/bounded-map.ts';

describe('rememberBounded', () => {
  it('drops the entry stored longest ago once the map exceeds the limit', () => {
    // Prepare
    const map = new Map<string, number>();

    // Act
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) rememberBounded(map, key, i, 3);

    // Assess
    expect([...map]).toEqual([
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('moves a key stored again to the young end, so it outlives older ones', () => {
    // Prepare
    const map = new Map<string, number>();
    rememberBounded(map, 'a', 1, 2);
    rememberBounded(map, 'b', 2, 2);

    // Act
    rememberBounded(map, 'a', 10, 2);
    rememberBounded(map, 'c', 3, 2);

    // Assess
    expect([...map]).toEqual([
      ['a', 10],
      ['c', 3],
    ]);
  });

  it('keeps the size when a stored key is replaced at the limit', () => {
    // Prepare
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);

    // Act
    rememberBounded(map, 'b', 20, 2);

    // Assess
    expect([...map]).toEqual([
      ['a', 1],
      ['b', 20],
    ]);
  });
});
