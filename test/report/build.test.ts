/**
 * The report model, built from the real sample logs (what real programs
 * wrote) and from small hand-made aws-s2s records where a case needs it.
 */
import { describe, expect, it } from 'vitest';
import { readBatches } from '../../src/cli/input.ts';
import type { SourceChoice } from '../../src/cli/options.ts';
import type { StreamBatch } from '../../src/pipeline.ts';
import {
  bucketWidth,
  displayState,
  MAX_BUCKETS,
  MINUTE_MS,
  ReportBuilder,
} from '../../src/report/build.ts';
import { makeReport } from '../../src/report/index.ts';
import type { ReportModel } from '../../src/report/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';

const ASSETS = { script: '/* script */', style: '/* style */' };
const CONTEXT = { title: 't', inputs: [], logTimeZone: 'Asia/Tokyo', generatedAt: 0 };

async function samples(
  paths: readonly string[],
  source: SourceChoice = 'auto',
): Promise<StreamBatch[]> {
  const errors: string[] = [];
  const { batches } = await readBatches(
    paths,
    { source, timeZone: 'Asia/Tokyo' },
    'report',
    (line) => errors.push(line),
  );
  return batches;
}

async function modelOf(batches: readonly StreamBatch[]): Promise<ReportModel> {
  return (await makeReport(batches, DEFAULT_RULES_CONFIG, CONTEXT, ASSETS)).model;
}

/** An aws-s2s tunnel record at `minute` after 2025-04-25T10:00Z. */
function record(minute: number, details: string, phase1: string, phase2 = phase1): string {
  const time = Date.parse('2025-04-25T10:00:00Z') + minute * MINUTE_MS;
  return JSON.stringify({
    event_timestamp: Math.floor(time / 1000),
    timestamp: new Date(time).toISOString().replace('T', ' '),
    details,
    dpd_enabled: true,
    nat_t_detected: false,
    ike_phase1_state: phase1,
    ike_phase2_state: phase2,
  });
}

function tunnelBatch(lines: readonly string[]): StreamBatch {
  return {
    source: 'aws-s2s',
    stream: 'vpn-0abc1234def567890-203.0.113.10',
    file: 'vpn-0abc1234def567890-203.0.113.10.log',
    lines: lines.map((text, index) => ({ text, line: index + 1 })),
  };
}

describe('report model: tunnels', () => {
  it('draws each tunnel of the samples under its VPN connection, with its BGP session', async () => {
    const model = await modelOf(await samples(['samples/aws-s2s']));
    expect(
      model.connections.map((group) => [
        group.vpnConnectionId,
        group.tunnels.map((t) => [t.tunnelIp, t.bgp.map((b) => b.neighbor)]),
      ]),
    ).toEqual([
      [
        'vpn-09f8e7d6c5b4a3210',
        [
          ['203.0.113.138', []],
          ['203.0.113.202', []],
        ],
      ],
      [
        'vpn-0a1b2c3d4e5f67890',
        [
          ['203.0.113.10', ['169.254.44.89']],
          ['203.0.113.74', []],
        ],
      ],
    ]);
  });

  it('writes the cause of each outage on its down span, the alert’s cause first', async () => {
    const model = await modelOf(await samples(['samples/aws-s2s']));
    const downs = model.connections
      .flatMap((group) => group.tunnels)
      .flatMap((tunnel) =>
        tunnel.spans.filter((span) => span[2] === 'down').map((span) => [tunnel.tunnelIp, span[3]]),
      );
    expect(downs).toEqual([
      [
        '203.0.113.138',
        expect.stringMatching(/^customer gateway deleted the IKE SA · pre-shared key mismatch/),
      ],
      ['203.0.113.202', expect.stringMatching(/^customer gateway deleted a phase 2 SA · /)],
      ['203.0.113.10', expect.stringMatching(/^DPD timeout/)],
    ]);
    // Each down span starts where its tunnel.down alert opened and ends where it resolved.
    const ten = model.connections[1]?.tunnels[0];
    const span = ten?.spans.find((s) => s[2] === 'down');
    const alerts = model.alerts.filter((a) => a.rule === 'tunnel.down' && a.laneId === ten?.laneId);
    expect(alerts.map((a) => a.status)).toEqual(['opened', 'resolved']);
    expect(span?.[0]).toBe(alerts[0]?.time);
    expect(span?.[1]).toBeLessThanOrEqual(alerts[1]?.time ?? 0);
  });

  it('takes BGP spans from the state changes, by neighbor', async () => {
    const model = await modelOf(await samples(['samples/aws-s2s']));
    const bgp = model.connections[1]?.tunnels[0]?.bgp[0];
    const states = bgp?.spans.map((span) => span[2]);
    // The session comes up, drops to Idle on the hold timer, and comes back.
    expect(states?.indexOf('Established')).toBeLessThan(states?.indexOf('Idle') ?? -1);
    expect(states?.at(-1)).toBe('Established');
    for (const [start, end] of bgp?.spans ?? []) expect(end).toBeGreaterThanOrEqual(start);
  });

  it('shows negotiating between down and up, and names the record that took it down when no alert does', async () => {
    const model = await modelOf([
      tunnelBatch([
        record(0, 'AWS tunnel is sending DPD request', 'established'),
        record(1, 'AWS tunnel DPD timed out. Peer is not responsive', 'down'),
        record(2, 'AWS tunnel Phase 1 is negotiating', 'negotiating', 'down'),
        record(3, 'AWS tunnel Phase 1 is negotiating', 'established', 'negotiating'),
        record(4, 'AWS tunnel is sending DPD request', 'established'),
      ]),
    ]);
    const spans = model.connections[0]?.tunnels[0]?.spans ?? [];
    expect(spans.map((span) => span[2])).toEqual(['up', 'down', 'negotiating', 'up']);
    expect(spans[1]?.[3]).toMatch(/^DPD timeout/);
  });

  it('marks flapping periods from the flapping alerts', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) {
      lines.push(record(i * 4, 'AWS tunnel DPD timed out. Peer is not responsive', 'down'));
      lines.push(record(i * 4 + 2, 'AWS tunnel is sending DPD request', 'established'));
    }
    lines.push(record(90, 'AWS tunnel is sending DPD request', 'established'));
    const model = await modelOf([tunnelBatch(lines)]);
    const tunnel = model.connections[0]?.tunnels[0];
    const flapping = model.alerts.filter((a) => a.rule === 'tunnel.flapping');
    expect(flapping.map((a) => a.status)).toEqual(['opened', 'resolved']);
    expect(tunnel?.flapping).toEqual([
      { start: flapping[0]?.time ?? 0, end: flapping[1]?.time ?? 0 },
    ]);
  });
});

describe('report model: alerts', () => {
  it('carries every alert replay gives, by id, each in an existing lane', async () => {
    const batches = await samples(['samples']);
    const report = await makeReport(batches, DEFAULT_RULES_CONFIG, CONTEXT, ASSETS);
    expect(report.model.alerts.map((a) => a.id).sort()).toEqual(
      report.result.alerts.map((a) => a.id).sort(),
    );
    const lanes = new Set<string>();
    for (const group of report.model.connections) {
      lanes.add(group.laneId);
      for (const tunnel of group.tunnels) {
        lanes.add(tunnel.laneId);
        for (const bgp of tunnel.bgp) lanes.add(bgp.laneId);
      }
    }
    for (const client of report.model.clients) lanes.add(client.alertLaneId);
    for (const alert of report.model.alerts) expect(lanes).toContain(alert.laneId);
    const session = report.model.alerts.find((a) => a.rule === 'bgp.session_down');
    expect(session?.laneId).toBe('bgp:vpn-0a1b2c3d4e5f67890:203.0.113.10:169.254.44.89');
  });

  it('cuts evidence to the page budget and says how many lines it left out', async () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      record(
        i * 0.1,
        'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
        'down',
      ),
    );
    const report = await makeReport([tunnelBatch(many)], DEFAULT_RULES_CONFIG, CONTEXT, ASSETS);
    for (const view of report.model.alerts) {
      const alert = report.result.alerts.find((a) => a.id === view.id);
      expect(view.evidence.length).toBeLessThanOrEqual(10);
      expect(view.evidence.length + view.evidenceOmitted).toBe(alert?.evidence.length);
    }
  });
});

describe('report model: logins, sessions, administration', () => {
  it('counts the OpenVPN gateway’s failed logins by address and by user, a failure logged twice once', async () => {
    const model = await modelOf(await samples(['samples/openvpn']));
    const openvpn = model.clients.find((c) => c.source === 'openvpn');
    const failedEvents = model.summary.eventsByCategory.find(
      (row) => row.source === 'openvpn' && row.category === 'auth.failed',
    )?.count;
    // The gateway logs each refusal on two lines that share a duplicateKey.
    expect(openvpn?.failedTotal).toBe((failedEvents ?? 0) / 2);
    const byAddress = openvpn?.failedByAddress.map((row) => [row.label, row.total]);
    expect(byAddress?.[0]).toEqual(['203.0.113.66', 6]);
    const sum = (rows: readonly { total: number }[]) => rows.reduce((n, r) => n + r.total, 0);
    expect(sum(openvpn?.failedByAddress ?? []) + (openvpn?.otherAddresses.total ?? 0)).toBe(
      openvpn?.failedTotal,
    );
    expect(sum(openvpn?.failedByUser ?? []) + (openvpn?.otherUsers.total ?? 0)).toBe(
      openvpn?.failedTotal,
    );
    const countsSum = (counts: readonly number[]) =>
      counts.reduce((n, value, index) => (index % 2 === 1 ? n + value : n), 0);
    expect(countsSum(openvpn?.failedCounts ?? [])).toBe(openvpn?.failedTotal);
  });

  it('pairs sessions: OpenVPN by client address and port, SoftEther by session id', async () => {
    const model = await modelOf(await samples(['samples/openvpn', 'samples/softether']));
    const openvpn = model.clients.find((c) => c.source === 'openvpn');
    const user04 = openvpn?.sessions.find((row) => row.user === 'user04');
    expect(user04?.sessions.map((s) => [s[2], s[4]])).toEqual([
      ['10.8.0.5', 'connection-reset'],
      ['10.8.0.11', 'connection-reset'],
    ]);
    const first = user04?.sessions[0];
    expect(((first?.[1] ?? 0) - (first?.[0] ?? 0)) / 1000).toBeCloseTo(11270, -1);
    const softether = model.clients.find((c) => c.source === 'softether');
    const alice = softether?.sessions.find((row) => row.user === 'alice');
    expect(alice?.sessions.map((s) => [s[3], s[1] === null ? 'open' : 'closed'])).toEqual([
      ['198.51.100.7', 'closed'],
      ['198.51.100.7', 'open'],
    ]);
    expect(softether?.sessionsTotal).toBe(4);
    // A session still open ends, on the page, at its own source's last event.
    expect(softether?.end).toBeLessThan(model.range?.end ?? 0);
  });

  it('lists SoftEther administrative events with their text', async () => {
    const model = await modelOf(await samples(['samples/softether']));
    const admin = model.clients.find((c) => c.source === 'softether')?.admin ?? [];
    expect(admin.map((mark) => mark[1])).toContain('admin.change');
    expect(admin.map((mark) => mark[1])).toContain('log.deleted');
    expect(admin.every((mark) => mark[2].length > 0)).toBe(true);
  });
});

describe('report model: size', () => {
  it('keeps one-minute buckets for sparse logs over a long range, wider ones for dense logs', () => {
    const sparse = [0, 60 * 24 * 365];
    expect(bucketWidth(sparse)).toBe(MINUTE_MS);
    const dense = Array.from({ length: 60 * 24 * 30 }, (_, minute) => minute);
    const width = bucketWidth(dense);
    expect(width).toBeGreaterThan(MINUTE_MS);
    expect((dense.length * MINUTE_MS) / width).toBeLessThanOrEqual(MAX_BUCKETS);
  });

  it('counts events without a time and does not draw them', () => {
    const builder = new ReportBuilder();
    builder.add({
      id: 'x',
      source: 'openvpn',
      category: 'unclassified',
      severity: 'info',
      time: null,
      message: '',
      raw: '',
      fields: {},
      origin: {},
    });
    const model = builder.finish(
      {
        alerts: [],
        events: 1,
        byCategory: { openvpn: { unclassified: 1 } },
        unclassified: 1,
        malformed: 0,
        suppressed: { cooldown: 0, dedup: 0, folded: 0 },
        duplicates: 0,
        conflicts: 0,
        late: 0,
      },
      CONTEXT,
    );
    expect(model.summary.untimed).toBe(1);
    expect(model.range).toBeNull();
  });
});

describe('displayState', () => {
  it('is down when a phase is down, up when both are established or rekeying, else negotiating', () => {
    expect(displayState('down', 'established')).toBe('down');
    expect(displayState('established', 'rekeying')).toBe('up');
    expect(displayState('established', 'negotiating')).toBe('negotiating');
    expect(displayState('established', undefined)).toBe('negotiating');
  });
});
