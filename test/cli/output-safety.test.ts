/**
 * Regression: hostile user names in real-format OpenVPN and SoftEther lines
 * (a right-to-left override, a C1 CSI, Markdown, HTML and mentions) through
 * every output: `replay --json`, `replay`, `classify`, and the SNS message of
 * the alert (email and chat forms). Nothing dangerous survives; the name is
 * still there, escaped. Before the fix, `replay --json` carried 2 (OpenVPN)
 * and 12 (SoftEther) raw control/bidi characters and `classify` 20.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderForSns } from '../../src/alerts/index.ts';
import type { ChatNotification, SnsProtocolMessages } from '../../src/alerts/sns.ts';
import type { Alert } from '../../src/model.ts';
import { runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { runCli } from '../helpers/cli.ts';

/** Raw characters no output may carry (docs/output-safety.md). */
const DANGEROUS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const RLO_NAME = 'admin\u202egnp.exe';
const C1_NAME = '\u009b31m';
const MARKUP_NAME = '**[click](http://evil)** <b>x</b> @here <!channel> <@U123>';

/** Five refused logins for `name`, each from another address: a per-user brute force. */
function openVpnLines(name: string, hour: number, net: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 5; i++) {
    const time = `2025/04/14 ${String(hour).padStart(2, '0')}:1${i}:0`;
    const client = `198.51.100.${net + i}:4010${i}`;
    lines.push(`${time}7 openvpn-vtun0 TCP connection established with [AF_INET]${client}`);
    lines.push(`${time}8 openvpn-vtun0 ${client} try username "${name}"`);
    lines.push(
      `${time}9 openvpn-vtun0 ${client} TLS Auth Error: Auth Username/Password verification failed for peer`,
    );
  }
  return lines;
}

const SOFTETHER_NAME = `${MARKUP_NAME}\u202e\u009b31m`;

function softEtherLines(name: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 5; i++) {
    const ip = `198.51.100.${20 + i}`;
    lines.push(
      `2025-04-01 10:0${i}:01.120 The connection "CID-${i}" (IP address: ${ip}, Host name: ${ip}, Port number: 5041${i}, Client name: "SoftEther VPN Client", Version: 4.43, Build: 9799) is attempting to connect to the Virtual Hub. The auth type provided is "Password authentication" and the user name is "${name}".`,
      `2025-04-01 10:0${i}:01.260 Connection "CID-${i}": User authentication failed. The user name that has been provided was "${name}".`,
    );
  }
  return lines;
}

let openVpnLog: string;
let softEtherDir: string;
const openVpn = [
  ...openVpnLines(RLO_NAME, 2, 1),
  ...openVpnLines(C1_NAME, 3, 11),
  ...openVpnLines(MARKUP_NAME, 4, 21),
];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tunnelwatch-hostile-'));
  openVpnLog = join(dir, 'hostile.log');
  await writeFile(openVpnLog, `${openVpn.join('\n')}\n`);
  softEtherDir = join(dir, 'softether');
  await mkdir(join(softEtherDir, 'security_log', 'DEFAULT'), { recursive: true });
  await writeFile(
    join(softEtherDir, 'security_log', 'DEFAULT', 'sec_20250401.log'),
    `${softEtherLines(SOFTETHER_NAME).join('\n')}\n`,
  );
});

function expectInert(lines: readonly string[]): void {
  for (const line of lines) expect(line).not.toMatch(DANGEROUS);
}

describe('hostile user names through the CLI', () => {
  it('replay --json: keys and subjects escaped, nothing raw, three keys for three names', async () => {
    const { code, stdout } = await runCli(['replay', '--json', '--source', 'openvpn', openVpnLog]);
    expect(code).toBe(0);
    expectInert(stdout);
    const alerts = stdout
      .filter((line) => line.startsWith('{"rule"'))
      .map((line) => JSON.parse(line) as { key: string; subject: string });
    expect(alerts.map((alert) => alert.key)).toEqual([
      'openvpn:user:admin\\u{202E}gnp.exe',
      'openvpn:user:\\u{9B}31m',
      `openvpn:user:${MARKUP_NAME}`,
    ]);
    expect(alerts[0]?.subject).toContain('user admin\\u{202E}gnp.exe');
    expect(alerts[1]?.subject).toContain('user \\u{9B}31m');
  });

  it('replay --json (SoftEther): evidence faithful after JSON.parse, bytes inert', async () => {
    const { stdout } = await runCli(['replay', '--json', softEtherDir]);
    expectInert(stdout);
    const alert = JSON.parse(stdout[0] ?? '') as { key: string; evidence: string[] };
    expect(alert.key).toBe(`softether:user:${MARKUP_NAME}\\u{202E}\\u{9B}31m`);
    expect(alert.evidence.some((line) => line.includes(SOFTETHER_NAME))).toBe(true);
    expect(stdout[0]).toContain('\\u202e\\u009b31m');
  });

  it('replay (text): the names are shown escaped, never obeyed', async () => {
    const { stdout } = await runCli(['replay', '--source', 'openvpn', openVpnLog]);
    expectInert(stdout);
    const text = stdout.join('\n');
    expect(text).toContain('for user "admin\\u{202E}gnp.exe"');
    expect(text).toContain('for user "\\u{9B}31m"');
    expect(text).toContain('user admin\\u{202E}gnp.exe');
  });

  it('classify: the fields are faithful after JSON.parse, the bytes inert', async () => {
    const { stdout } = await runCli(['classify', '--source', 'openvpn', openVpnLog]);
    expectInert(stdout);
    const users = stdout
      .map((line) => JSON.parse(line) as { fields: { user?: string } })
      .flatMap((event) => (event.fields.user === undefined ? [] : [event.fields.user]));
    expect(new Set(users)).toEqual(new Set([RLO_NAME, C1_NAME, MARKUP_NAME]));
  });
});

describe('hostile user names through the SNS message', () => {
  let alerts: readonly Alert[];

  beforeAll(async () => {
    const batches: StreamBatch[] = [
      {
        source: 'openvpn',
        stream: 'gateway',
        file: 'gateway.log',
        lines: openVpn.map((text, index) => ({ text, line: index + 1 })),
      },
      {
        source: 'softether',
        stream: 'vpn1/security_log/DEFAULT',
        file: 'sec_20250401.log',
        lines: softEtherLines(SOFTETHER_NAME).map((text, index) => ({ text, line: index + 1 })),
      },
    ];
    const result = await runPipeline(batches, {
      store: new MemoryStateStore(() => Date.parse('2025-04-15T00:00:00Z')),
      config: DEFAULT_RULES_CONFIG,
      now: () => Date.parse('2025-04-15T00:00:00Z'),
    });
    alerts = result.alerts;
  });

  /** The alert about `user`. */
  function about(user: string): Alert {
    const alert = alerts.find((candidate) => candidate.about.user === user);
    if (alert === undefined) throw new Error(`no alert about ${JSON.stringify(user)}`);
    return alert;
  }
  const messagesOf = (alert: Alert) =>
    JSON.parse(renderForSns(alert).message) as SnsProtocolMessages;
  const chatOf = (alert: Alert) => JSON.parse(messagesOf(alert).https) as ChatNotification;

  it('raises one alert per hostile name', () => {
    expect(alerts.map((alert) => alert.rule)).toEqual(Array(4).fill('auth.bruteforce'));
    expect(new Set(alerts.map((alert) => alert.about.user))).toEqual(
      new Set([RLO_NAME, C1_NAME, MARKUP_NAME, SOFTETHER_NAME]),
    );
  });

  it('subject and attributes: printable ASCII, one line, under 100 characters', () => {
    for (const alert of alerts) {
      const { subject, messageAttributes } = renderForSns(alert);
      expect(subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]{0,98}$/);
      for (const value of Object.values(messageAttributes)) {
        expect(value.StringValue).toMatch(/^[\x20-\x7e]{1,256}$/);
      }
    }
    expect(renderForSns(about(RLO_NAME)).subject).toContain('admin\\u{202E}gnp.exe');
  });

  it('email form: no raw control or bidi character; the name is shown escaped', () => {
    for (const alert of alerts) {
      expect(messagesOf(alert).default.replaceAll('\n', ' ')).not.toMatch(DANGEROUS);
    }
    expect(messagesOf(about(RLO_NAME)).default).toContain('User:            admin\\u{202E}gnp.exe');
    expect(messagesOf(about(C1_NAME)).default).toContain('User:            \\u{9B}31m');
  });

  it('chat form: Markdown, HTML and mentions from the log are inert text', () => {
    for (const chat of alerts.map(chatOf)) {
      const text = [chat.content.title, chat.content.description, ...chat.content.nextSteps].join(
        '\n',
      );
      expect(text.replaceAll('\n', ' ')).not.toMatch(DANGEROUS);
      expect(text).not.toMatch(/<[!@a-z/]/i);
      expect(text).not.toMatch(/(^|[^\\])\[click(\\)?\]\(/);
      expect(text).not.toMatch(/(^|[^\\])@here/);
      expect(text).not.toMatch(/(^|[^\\])\*\*\\?\[/);
    }
    const markup = chatOf(about(MARKUP_NAME)).content.description;
    expect(markup).toContain(
      '\\*\\*\\[click\\]\\(http://evil\\)\\*\\* &lt;b&gt;x&lt;/b&gt; \\@here &lt;\\!channel&gt; &lt;\\@U123&gt;',
    );
    expect(chatOf(about(RLO_NAME)).content.description).toContain(
      '*User:* admin\\\\u{202E}gnp.exe',
    );
    expect(chatOf(about(RLO_NAME)).content.textType).toBe('client-markdown');
    expect(chatOf(about(SOFTETHER_NAME)).content.description).toContain('*Hub:* DEFAULT');
  });
});
