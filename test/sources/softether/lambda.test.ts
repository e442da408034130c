/**
 * SoftEther logs shipped to CloudWatch Logs (one stream per log and hub) and
 * read by the subscription handler, with a log group configured for source
 * `softether` and the server's time zone.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sourceHandler } from '../../helpers/source-handler.ts';
import { logEventsOf, subscriptionEvent } from '../../helpers/subscription-payload.ts';

beforeEach(() => {
  // Powertools writes JSON logs and EMF to stdout.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

/** A Stable-edition failed login: no `, from IP`, the address only in the earlier lines. */
function failure(
  second: number,
  cid: number,
  user: string,
): { server: string[]; security: string[] } {
  const t = `2025-03-01 19:00:${String(second).padStart(2, '0')}`;
  const connect = `The connection "CID-${cid}" (IP address: 203.0.113.50, Host name: 203.0.113.50, Port number: ${40000 + cid}, Client name: "SoftEther VPN Client", Version: 4.43, Build: 9799) is attempting to connect to the Virtual Hub. The auth type provided is "Password authentication" and the user name is "${user}".`;
  const failed = `Connection "CID-${cid}": User authentication failed. The user name that has been provided was "${user}".`;
  return {
    server: [
      `${t}.010 For the client (IP address: 203.0.113.50, host name: "203.0.113.50", port number: ${40000 + cid}), connection "CID-${cid}" has been created.`,
      `${t}.120 [HUB "営業部"] ${connect}`,
      `${t}.260 [HUB "営業部"] ${failed}`,
    ],
    security: [`${t}.120 ${connect}`, `${t}.260 ${failed}`],
  };
}

describe('subscription handler with a SoftEther log group', () => {
  it('raises one auth.bruteforce per address across the server and security log streams', async () => {
    // Prepare
    const { handler, sink } = sourceHandler('softether');
    const attempts = ['admin', 'root', 'alice', 'vpn', 'test'].map((user, i) =>
      failure(i * 10, 10 + i, user),
    );
    const logGroup = '/tunnelwatch/softether/vpn1';
    // Act: the security log arrives first, then the server log.
    await handler(
      subscriptionEvent(logEventsOf(attempts.flatMap((a) => a.security)), {
        logGroup,
        logStream: 'vpn1/security_log/営業部',
      }),
    );
    await handler(
      subscriptionEvent(logEventsOf(attempts.flatMap((a) => a.server)), {
        logGroup,
        logStream: 'vpn1/server_log',
      }),
    );
    // Assess: the security-log copies have the address by correlation, the
    // server-log copies are duplicates, and the times are read in Asia/Tokyo.
    expect(sink.alerts.map((alert) => alert.rule)).toEqual(['auth.bruteforce']);
    const alert = sink.alerts[0];
    expect(alert?.about).toMatchObject({ clientIp: '203.0.113.50', server: 'vpn1', hub: '営業部' });
    expect(alert?.time).toBe(Date.parse('2025-03-01T10:00:40.260Z'));
  });
});
