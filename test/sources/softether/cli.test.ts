import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

interface Classified {
  readonly file: string;
  readonly line: number;
  readonly category: string;
  readonly fields: Record<string, unknown>;
}

describe('tunnelwatch classify on a SoftEther tree', () => {
  it('walks server_log, security_log/*, packet_log/* in chronological file order', async () => {
    // Act
    const { code, stdout } = await runCli(['classify', '--tz', 'Asia/Tokyo', 'samples/softether/']);
    // Assess
    expect(code).toBe(0);
    const events = stdout
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Classified);
    const files = [...new Set(events.map((event) => event.file))];
    expect(files).toEqual([
      'samples/softether/server_log/vpn_20250301.log',
      'samples/softether/server_log/vpn_20250302.log',
      'samples/softether/security_log/DEFAULT/sec_20250301.log',
      'samples/softether/security_log/DEFAULT/sec_20250301~01.log',
      'samples/softether/security_log/DEFAULT/sec_20250302.log',
      'samples/softether/packet_log/DEFAULT/pkt_20250301.log',
    ]);
    expect(events.filter((event) => event.category === 'malformed')).toEqual([]);
  });

  it('takes the hub of security and packet logs from the path', async () => {
    const { stdout } = await runCli([
      'classify',
      'samples/softether/security_log/DEFAULT/sec_20250301~01.log',
      'samples/softether/packet_log/DEFAULT/pkt_20250301.log',
    ]);
    const events = stdout
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Classified);
    expect(events.length).toBeGreaterThan(5);
    for (const event of events) {
      expect(event.fields.hub, `${event.file}:${event.line}`).toBe('DEFAULT');
      // The install directory names the server, the same in every log of the tree.
      expect(event.fields.server, `${event.file}:${event.line}`).toBe('softether');
    }
    expect(events.some((event) => event.category === 'packet.record')).toBe(true);
    expect(
      events.find(
        (event) => event.category === 'admin.change' && event.fields.auditKind === 'log-settings',
      ),
    ).toBeDefined();
  });
});
