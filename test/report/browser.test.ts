/**
 * The report in a real browser: Debian's chromium (installed by
 * scripts/setup-system.sh), driven headless by playwright-core. For each
 * sample folder the page loads without a console error, shows one marker per
 * alert that `replay --json` prints (by id and status), one lane per tunnel
 * and BGP session that `classify` finds, and keyboard focus reaches every
 * marker. The run writes a screenshot of the samples' report to test-output/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

/** Debian's chromium; `TUNNELWATCH_CHROMIUM` names another. */
const CHROMIUM = process.env.TUNNELWATCH_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve('test-output');
const TZ = ['--tz', 'Asia/Tokyo'];

let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: the report's browser tests need Debian's chromium (scripts/setup-system.sh installs it)`,
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI: chromium's sandbox needs an unprivileged user.
    args: ['--no-sandbox', '--disable-gpu'],
  });
  dir = await mkdtemp(join(tmpdir(), 'tw-report-'));
});

afterAll(async () => {
  await browser?.close();
});

/** Writes the report of `paths` and returns its file. */
async function report(name: string, paths: readonly string[]): Promise<string> {
  const out = join(dir, `${name}.html`);
  const run = await runCli(['report', ...paths, ...TZ, '--out', out]);
  expect(run.code, run.stderr.join('\n')).toBe(0);
  return out;
}

/** The alerts `replay --json` prints for `paths`: id and status. */
async function replayAlerts(paths: readonly string[]): Promise<[string, string][]> {
  const run = await runCli(['replay', '--json', ...TZ, ...paths]);
  expect(run.code).toBe(0);
  return run.stdout
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { id?: string; status?: string })
    .filter((alert) => alert.id !== undefined)
    .map((alert) => [alert.id as string, alert.status as string]);
}

/** Tunnels (VPN + outside IP) and BGP sessions (tunnel + neighbor) that `classify` finds. */
async function classifiedLanes(
  paths: readonly string[],
): Promise<{ vpns: number; tunnels: number; bgp: number }> {
  const run = await runCli(['classify', ...TZ, ...paths]);
  const vpns = new Set<string>();
  const tunnels = new Set<string>();
  const bgp = new Set<string>();
  for (const line of run.stdout) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { source: string; fields: Record<string, unknown> };
    const { vpnConnectionId, tunnelIp, bgpNeighbor } = event.fields;
    if (event.source !== 'aws-s2s' || typeof vpnConnectionId !== 'string') continue;
    if (typeof tunnelIp !== 'string') continue;
    vpns.add(vpnConnectionId);
    tunnels.add(`${vpnConnectionId} ${tunnelIp}`);
    if (typeof bgpNeighbor === 'string') bgp.add(`${vpnConnectionId} ${tunnelIp} ${bgpNeighbor}`);
  }
  return { vpns: vpns.size, tunnels: tunnels.size, bgp: bgp.size };
}

/** Opens a report page, collecting console errors and uncaught exceptions. */
async function open(file: string, hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${pathToFileURL(file).href}${hash}`);
  await page.waitForSelector('body[data-drawn]');
  return { page, errors };
}

function markerIds(page: Page): Promise<[string, string][]> {
  return page.$$eval('.marker', (elements) =>
    elements.map((element) => [
      element.getAttribute('data-alert-id') ?? '',
      element.getAttribute('data-status') ?? '',
    ]),
  ) as Promise<[string, string][]>;
}

/** The alert ids keyboard focus lands on while tabbing once through the page. */
async function tabThrough(page: Page): Promise<Set<string>> {
  const focusable = await page.$$eval(
    'button, [tabindex="0"], a[href]',
    (elements) => elements.length,
  );
  const reached = new Set<string>();
  for (let i = 0; i < focusable + 2; i++) {
    await page.keyboard.press('Tab');
    // A string: the test files are type-checked without the DOM library.
    const id = (await page.evaluate(
      `document.activeElement?.classList.contains('marker') ? document.activeElement.getAttribute('data-alert-id') : null`,
    )) as string | null;
    if (id !== null) reached.add(id);
  }
  return reached;
}

const SAMPLES: readonly [string, readonly string[]][] = [
  ['aws-s2s', ['samples/aws-s2s']],
  ['openvpn', ['samples/openvpn']],
  ['softether', ['samples/softether']],
  ['all', ['samples']],
];

describe('the report in chromium', () => {
  for (const [name, paths] of SAMPLES) {
    it(`${name}: loads cleanly, one marker per replayed alert, a lane per tunnel and BGP session, every marker reachable by Tab`, async () => {
      // Prepare
      const file = await report(name, paths);
      const expected = await replayAlerts(paths);
      const lanes = await classifiedLanes(paths);

      // Act
      const { page, errors } = await open(file);

      // Assess
      const markers = await markerIds(page);
      expect(markers.map(([id]) => id).sort()).toEqual(expected.map(([id]) => id).sort());
      expect(new Set(markers.map(([id]) => id)).size).toBe(markers.length);
      expect(new Map(markers)).toEqual(new Map(expected));
      expect(await page.locator('.row[data-lane-kind="vpn"]').count()).toBe(lanes.vpns);
      expect(await page.locator('.row[data-lane-kind="tunnel"]').count()).toBe(lanes.tunnels);
      expect(await page.locator('.row[data-lane-kind="bgp"]').count()).toBe(lanes.bgp);
      const reached = await tabThrough(page);
      expect([...reached].sort()).toEqual(expected.map(([id]) => id).sort());
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('shows an alert’s subject, cause, evidence and remediation when its marker has focus', async () => {
    const file = await report('tooltip', ['samples/aws-s2s']);
    const { page, errors } = await open(file);
    const marker = page.locator('.marker[data-status="opened"]').first();
    await marker.focus();
    const tooltip = page.locator('#tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = (await tooltip.textContent()) ?? '';
    const id = (await marker.getAttribute('data-alert-id')) ?? '';
    const subject = await page
      .locator(`button[data-alert-ref="${id}"]`)
      .locator('xpath=../..')
      .locator('td')
      .nth(4)
      .textContent();
    expect(text).toContain(subject ?? '(no subject)');
    expect(text).toContain('Cause: ');
    expect(text).toContain('Evidence');
    expect(text).toContain('What to do: ');
    await page.keyboard.press('Escape');
    await expect.poll(() => tooltip.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('switches the axis and every time between UTC and the logs’ zone, and zooms to an episode', async () => {
    const file = await report('zones', ['samples']);
    const { page, errors } = await open(file);
    const firstTime = page.locator('#alert-list time').first();
    expect(await firstTime.textContent()).toMatch(/ UTC$/);
    await page.getByRole('radio', { name: 'Asia/Tokyo (logs)' }).click();
    await expect.poll(() => firstTime.textContent()).toMatch(/\(Asia\/Tokyo\)$/);
    expect(await page.locator('.axis .zone-label').textContent()).toBe('Asia/Tokyo');
    // The aws-s2s episode: only its 14 alerts are in the window.
    await page.locator('button.episode', { hasText: 'aws-s2s' }).click();
    const awsAlerts = (await replayAlerts(['samples/aws-s2s'])).length;
    await expect.poll(() => page.locator('.marker').count()).toBe(awsAlerts);
    await expect.poll(() => page.locator('section.client.openvpn.out-of-view').count()).toBe(1);
    const before = await page.locator('.view-text').textContent();
    await page.keyboard.press('+');
    await expect.poll(() => page.locator('.view-text').textContent()).not.toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('treats log text as text: markup, a closing script tag and U+2028 in a user name run nothing', async () => {
    // Five refused logins whose user name is hostile: it shows in the alert and the user rows.
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>\u2028<!--';
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) {
      const time = `2025/04/14 02:1${i}:0`;
      const client = `203.0.113.66:4010${i}`;
      lines.push(`${time}7 openvpn-vtun0 TCP connection established with [AF_INET]${client}`);
      lines.push(`${time}8 openvpn-vtun0 ${client} try username "${hostile}"`);
      lines.push(
        `${time}9 openvpn-vtun0 ${client} TLS Auth Error: Auth Username/Password verification failed for peer`,
      );
    }
    const log = join(dir, 'hostile.log');
    await writeFile(log, `${lines.join('\n')}\n`);
    const file = await report('hostile', ['--source', 'openvpn', log]);
    const { page, errors } = await open(file);
    expect(await page.title()).toMatch(/^tunnelwatch report: /);
    expect(await page.locator('img').count()).toBe(0);
    const marker = page.locator('.marker').first();
    await marker.focus();
    expect(await page.locator('#tooltip .summary').textContent()).toContain(
      '</script><script>alert(1)</script><img src=x onerror=alert(2)>',
    );
    const labels = await page.locator('.row-count .label .main').allTextContents();
    expect(labels.some((label) => label.includes('<img src=x'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('writes a screenshot of the samples’ report (test-output/report-samples.png)', async () => {
    const file = await report('screenshot', ['samples']);
    const start = Date.parse('2025-11-19T08:45:00Z');
    const end = Date.parse('2025-11-19T17:35:00Z');
    const { page, errors } = await open(file, `#from=${start}&to=${end}&tz=UTC`);
    await page.setViewportSize({ width: 1400, height: 760 });
    await page.evaluate('document.fonts.ready');
    // The tooltip of the outage whose cause changed (peer delete, then PSK mismatch).
    const down = page.locator('.row[data-lane-id$=":203.0.113.138"] .marker').first();
    await down.focus();
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, 'report-samples.png');
    await page.screenshot({ path });
    expect(existsSync(path)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
