/**
 * The chaos harness on its tiny size: every case runs against the emulator
 * and reports a figure; the figure arithmetic tells a loss, a copy and an
 * unexpected item apart. (`npm run chaos` runs the full size.)
 */
import { describe, expect, it } from 'vitest';
import { figureLine, figureOk, runChaos, TINY } from '../../chaos/cases.ts';

describe('chaos harness', () => {
  it('runs every case on a tiny input and reports one figure each; nothing lost, doubled or made up', async () => {
    const figures = await runChaos(TINY);
    expect(figures.map((figure) => figure.unit)).toEqual([
      'lines',
      'lines',
      'lines',
      'alerts',
      'alerts',
    ]);
    for (const figure of figures) {
      expect(figure.expected).toBeGreaterThan(0);
      expect(figureLine(figure)).toMatch(/expected \d+, (stored|published) \d+, duplicated \d+/);
      expect(figure, figureLine(figure)).toMatchObject({
        delivered: figure.expected,
        duplicated: 0,
        missing: 0,
        unexpected: 0,
      });
      expect(figureOk(figure)).toBe(true);
    }
  }, 240_000);

  it('calls a figure off for a copy, a loss or an unexpected item', () => {
    const base = {
      name: 'x',
      unit: 'alerts' as const,
      expected: 2,
      delivered: 2,
      duplicated: 0,
      missing: 0,
      unexpected: 0,
    };
    expect(figureOk(base)).toBe(true);
    expect(figureOk({ ...base, duplicated: 1 })).toBe(false);
    expect(figureOk({ ...base, missing: 1 })).toBe(false);
    expect(figureOk({ ...base, unexpected: 1 })).toBe(false);
    expect(figureLine({ ...base, missing: 1 })).toMatch(/^FAIL x: alerts expected 2/);
  });
});
