import { describe, expect, it } from 'vitest';
import { parseLogGroupSources, sourceForLogGroup } from '../../src/aws/log-group-sources.ts';

describe('LOG_GROUP_SOURCES', () => {
  const rows = parseLogGroupSources(
    JSON.stringify([
      { prefix: '/aws/vendedlogs/', source: 'openvpn' },
      { prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' },
      { prefix: '/tunnelwatch/openvpn/', source: 'openvpn', timeZone: 'Asia/Tokyo' },
    ]),
  );

  it('picks the longest matching prefix', () => {
    expect(sourceForLogGroup(rows, '/aws/vendedlogs/vpn/x')).toEqual({ source: 'aws-s2s' });
    expect(sourceForLogGroup(rows, '/aws/vendedlogs/other')).toEqual({ source: 'openvpn' });
  });

  it('carries the time zone', () => {
    expect(sourceForLogGroup(rows, '/tunnelwatch/openvpn/gw1')).toEqual({
      source: 'openvpn',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('falls back to auto-detection', () => {
    expect(sourceForLogGroup(rows, '/elsewhere')).toEqual({ source: 'auto' });
    expect(parseLogGroupSources(undefined)).toEqual([]);
  });

  it('names every bad entry', () => {
    const bad = JSON.stringify([
      { prefix: '', source: 'x' },
      { prefix: '/a', source: 'openvpn', timeZone: 'Mars/Base' },
    ]);

    expect(() => parseLogGroupSources(bad)).toThrow(
      /LOG_GROUP_SOURCES\[0\]\.prefix.*LOG_GROUP_SOURCES\[0\]\.source.*LOG_GROUP_SOURCES\[1\]\.timeZone/,
    );
    expect(() => parseLogGroupSources('{')).toThrow(/LOG_GROUP_SOURCES: not JSON/);
  });
});
