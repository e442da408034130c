import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Category, VpnEvent } from '../../../src/model.ts';
import { awsS2sSource } from '../../../src/sources/aws-s2s/index.ts';
import { parseTunnelName } from '../../../src/sources/aws-s2s/stream-name.ts';

const DIR = join(import.meta.dirname, '../../../samples/aws-s2s');
const DAY_START = Date.parse('2025-11-19T00:00:00Z');
const DAY_END = Date.parse('2025-11-20T00:00:00Z');

/** The story each sample stream tells, as the categories it must contain. */
const STORIES: Readonly<Record<string, readonly Category[]>> = {
  'vpn-0a1b2c3d4e5f67890-203.0.113.10': ['ike.child_sa', 'dpd.timeout', 'ike.negotiation_timeout'],
  'vpn-0a1b2c3d4e5f67890-203.0.113.74': ['ike.child_sa', 'ike.rekey_collision'],
  'vpn-0a1b2c3d4e5f67890-203.0.113.10-bgp': [
    'bgp.state_change',
    'bgp.notification',
    'bgp.message',
    'bgp.route',
    'bgp.route_denied',
  ],
  'vpn-09f8e7d6c5b4a3210-203.0.113.138': ['ike.peer_delete', 'ike.psk_mismatch', 'ike.child_sa'],
  'vpn-09f8e7d6c5b4a3210-203.0.113.202': [
    'ike.peer_delete',
    'ike.proposal_mismatch',
    'ike.phase2_failed',
    'ike.child_sa',
  ],
};

async function classifySample(file: string): Promise<VpnEvent[]> {
  const stream = basename(file, '.log');
  const parser = awsS2sSource.createParser({ stream });
  const lines = (await readFile(join(DIR, file), 'utf8')).split('\n').filter((line) => line !== '');
  return lines.map((line, index) =>
    parser.parse(line, { origin: { stream, file, line: index + 1 } }),
  );
}

describe('samples/aws-s2s', () => {
  it('holds the five stream files of the two VPN connections', async () => {
    const files = (await readdir(DIR)).filter((name) => name.endsWith('.log'));
    expect(files.map((file) => basename(file, '.log')).sort()).toEqual(Object.keys(STORIES).sort());
  });

  it.each(Object.entries(STORIES))(
    '%s tells its story in known, well-formed records',
    async (stream, story) => {
      // Act
      const events = await classifySample(`${stream}.log`);
      // Assess
      const categories = new Set(events.map((event) => event.category));
      expect(categories.has('unclassified')).toBe(false);
      expect(categories.has('malformed')).toBe(false);
      for (const category of story) expect(categories).toContain(category);
      const tunnel = parseTunnelName(stream);
      for (const event of events) {
        expect(event.fields.vpnConnectionId).toBe(tunnel.vpnConnectionId);
        expect(event.fields.tunnelIp).toBe(tunnel.tunnelIp);
        expect(event.time).toBeGreaterThanOrEqual(DAY_START);
        expect(event.time).toBeLessThan(DAY_END);
      }
      const times = events.map((event) => event.time as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    },
  );

  it('ends every tunnel-activity stream with the tunnel up', async () => {
    for (const stream of Object.keys(STORIES).filter((name) => !name.endsWith('-bgp'))) {
      const events = await classifySample(`${stream}.log`);
      const last = events.filter((event) => event.fields.phase1State !== undefined).at(-1);
      expect(last?.fields.phase1State, stream).toBe('established');
      expect(last?.fields.phase2State, stream).toBe('established');
    }
  });
});
