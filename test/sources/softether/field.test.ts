/**
 * Real SoftEther server-log lines written by other people's servers
 * (test/fixtures/field/softether.tsv, each row with its source): IPsec/L2TP,
 * SSTP, OpenVPN-protocol and RADIUS logins, an admin session.
 */
import { describe, expect, it } from 'vitest';
import { createSoftetherParser } from '../../../src/sources/softether/parser.ts';
import { readFieldCorpus } from '../../fixtures/field/corpus.ts';

const rows = readFieldCorpus('softether');

describe('SoftEther lines from the field', () => {
  const parser = createSoftetherParser({ stream: 'vpnserver/server_log/vpn_20210703' });
  const events = rows.map((row) =>
    parser.parse(row.line, { origin: { file: 'softether.tsv', line: row.row } }),
  );

  it.each(rows.map((row, index) => [row.row, row.expected, index] as const))(
    'row %i is %s',
    (_row, expected, index) => {
      expect(events[index]?.category, rows[index]?.line).toBe(expected ?? 'unclassified');
    },
  );

  it('keeps the client of IPsec lines and the user of refused logins', () => {
    const ipsec = events.filter((event) => event.raw.includes('IPsec Client 35'));
    expect(ipsec.every((event) => event.fields.clientIp === 'xx.yyy.zzz.aa')).toBe(true);
    const refused = events.filter((event) => event.category === 'auth.failed');
    expect(refused.map((event) => [event.fields.hub, event.fields.user])).toEqual([
      ['VPN', 'xxx.xxx'],
      ['DEFAULT', undefined],
    ]);
  });
});
