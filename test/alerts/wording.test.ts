/**
 * The words on-call reads, end to end: `tunnelwatch replay samples/` with the
 * real parsers and rules. Cause titles keep their acronym casing in subjects
 * and summaries; a title that starts a sentence gets only its first letter
 * upper-cased.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const VPN = 'vpn-0a1b2c3d4e5f67890';
const VPN_2 = 'vpn-09f8e7d6c5b4a3210';

let subjects: string[];
let human: string;

beforeAll(async () => {
  const json = await runCli(['replay', '--json', 'samples/']);
  subjects = json.stdout
    .filter((line) => line.startsWith('{') && !line.startsWith('{"summary"'))
    .map((line) => (JSON.parse(line) as { subject: string }).subject);
  human = (await runCli(['replay', 'samples/'])).stdout.join('\n');
});

describe('alert wording of the samples', () => {
  it('puts cased cause titles after the colon of ASCII subjects under 100 characters', () => {
    expect(subjects).toEqual(
      expect.arrayContaining([
        `CRITICAL ${VPN} 203.0.113.10 DOWN: DPD timeout`,
        `WARNING ${VPN} 203.0.113.10 bgp.notification: BGP hold timer expired`,
        `WARNING ${VPN} 203.0.113.10 bgp.route_denied: route denied: own AS in AS path`,
        `CRITICAL ${VPN_2} 203.0.113.138 DOWN: customer gateway deleted the IKE SA`,
        `CRITICAL ${VPN_2} 203.0.113.202 ike.proposal_mismatch: IPsec proposal mismatch`,
        'WARNING softether hub DEFAULT network conflict: IP address conflict',
      ]),
    );
    for (const subject of subjects) {
      expect(subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]*$/);
      expect(subject.length).toBeLessThan(100);
    }
  });

  it('starts sentences with a title without lower-casing its acronyms', () => {
    expect(human).toContain(`BGP hold timer expired on tunnel 203.0.113.10 of ${VPN}.`);
    expect(human).toContain(`IPsec proposal mismatch on tunnel 203.0.113.202 of ${VPN_2}.`);
    expect(human).toContain('IP address conflict in hub "DEFAULT" session SID-BOB-40.');
    expect(human).not.toMatch(/\b(?:Bgp|Ipsec|Ike|Dpd)\b/);
  });

  it('uses the title mid-sentence as it is written', () => {
    expect(human).toContain(`Tunnel 203.0.113.10 of ${VPN} is down: DPD timeout.`);
    expect(human).toContain(
      `Tunnel 203.0.113.138 of ${VPN_2} is down: customer gateway deleted the IKE SA.`,
    );
    expect(human).toContain('left Established: BGP hold timer expired.');
  });
});

describe('alert wording of a title that starts in lower case', () => {
  it('upper-cases its first letter at the start of a sentence only', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'tw-wording-'));
    const file = join(dir, 'vpn_20250301.log');
    await writeFile(
      file,
      `2025-03-01 11:00:03.002 [HUB "DEFAULT"] Session "SID-BOB-7": Although host 192.168.30.200 on this session sent a packet that allocates an IP address as a DHCP server for host 5E-1A-2B-3C-4D-5E on another session, this session's security policy denies operation as a DHCP server. The packet has been discarded.\n`,
    );
    // Act
    const { stdout } = await runCli(['replay', file]);
    const { stdout: json } = await runCli(['replay', '--json', file]);
    // Assess
    expect(stdout.join('\n')).toContain('Rogue DHCP server in hub "DEFAULT" session SID-BOB-7.');
    expect(JSON.parse(json[0] ?? '{}').subject).toBe(
      'WARNING hub DEFAULT SID-BOB-7 network conflict: rogue DHCP server',
    );
  });
});
