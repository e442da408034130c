/**
 * Classify throughput of the aws-s2s parser on 100,000 generated records with
 * a realistic mix: mostly healthy CREATE_CHILD_SA and state-only records, some
 * IKE errors and peer deletes, some BGP status and route records. The floor
 * only runs `JSON.parse` on the same lines; the target is parse ÷ floor ≤ 2.
 */

import { seededRandom } from '../src/deliveries.ts';
import type { StreamParser } from '../src/model.ts';
import { createAwsS2sParser } from '../src/sources/aws-s2s/parser.ts';
import { type BenchReport, ratioOf } from './harness.ts';

/** Records per round. */
export const RECORDS = 100_000;

const STREAMS = [
  'vpn-0a1b2c3d4e5f67890-203.0.113.10',
  'vpn-0a1b2c3d4e5f67890-203.0.113.74',
  'vpn-09f8e7d6c5b4a3210-198.51.100.20',
  'vpn-09f8e7d6c5b4a3210-198.51.100.84',
];

const CHILD_SA = [
  'AWS tunnel processed request (id={id}) for CREATE_CHILD_SA',
  'AWS tunnel is sending response (id={id}) for CREATE_CHILD_SA',
  'AWS tunnel is sending request (id={id}) for CREATE_CHILD_SA',
  'AWS tunnel processed response (id={id}) for CREATE_CHILD_SA',
];
const ERRORS = [
  'AWS tunnel DPD timed out after 5 retransmits',
  'Peer is not responsive - Declaring peer dead',
  'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
  'No Proposal Match Found. Notifying with "No proposal chosen"',
  'AWS tunnel Phase 2 was unable to establish while keeping Phase 1',
  'AWS tunnel received DELETE for Phase 2 SA with SPI: 0xc1a2b3d4',
  'AWS tunnel received DELETE for IKE_SA from CGW',
  'AWS tunnel (CHILD_SA) redundant SA is being deleted due to detected collision',
  'AWS tunnel Timeout: deleting un-established Phase 1 IKE_SA with cgw: 198.51.100.7',
  'Some message AWS added after this catalog was written',
];
const BGP_DETAILS = [
  'AWS-side peer BGP session state has changed from Established to Idle with neighbor 169.254.50.85',
  'AWS-side peer BGP session state has changed from OpenConfirm to Established with neighbor 169.254.50.85',
  'AWS-side peer sent a Hold Timer Expired notification to neighbor 169.254.50.85',
  'AWS-side peer received update with attributes from neighbor 169.254.50.85 - AS path: 65000 65010',
];

/** One generated line and the stream it belongs to. */
interface GeneratedLine {
  readonly stream: number;
  readonly text: string;
}

/** The benchmark's records: 62% child SA, 25% state only, 6% errors, 7% BGP. */
export function generateLines(count: number, seed = 42): GeneratedLine[] {
  const next = seededRandom(seed);
  const lines: GeneratedLine[] = [];
  let time = 1_763_510_400; // 2025-11-19 00:00:00Z, epoch seconds
  for (let i = 0; i < count; i++) {
    time += Math.floor(next() * 3);
    const stream = Math.floor(next() * STREAMS.length);
    const roll = next();
    const tunnel = (details: string, p1: string, p2: string): string =>
      JSON.stringify({
        event_timestamp: time,
        timestamp: `${new Date(time * 1000).toISOString().replace('T', ' ')}`,
        details,
        dpd_enabled: true,
        nat_t_detected: false,
        ike_phase1_state: p1,
        ike_phase2_state: p2,
      });
    let text: string;
    if (roll < 0.62) {
      const template = CHILD_SA[Math.floor(next() * CHILD_SA.length)] as string;
      text = tunnel(
        template.replace('{id}', String(Math.floor(next() * 5000))),
        'established',
        'rekeying',
      );
    } else if (roll < 0.87) {
      text = tunnel('', 'established', 'established');
    } else if (roll < 0.93) {
      text = tunnel(ERRORS[Math.floor(next() * ERRORS.length)] as string, 'down', 'down');
    } else if (roll < 0.97) {
      text = JSON.stringify({
        resource_id: `${STREAMS[stream]?.slice(0, 21)}_169.254.50.85`,
        event_timestamp: time * 1000,
        timestamp: new Date(time * 1000).toISOString().replace('T', ' '),
        type: 'BGPStatus',
        status: 'DOWN',
        message: { details: BGP_DETAILS[Math.floor(next() * BGP_DETAILS.length)] },
      });
    } else {
      text = JSON.stringify({
        resource_id: `${STREAMS[stream]?.slice(0, 21)}_169.254.50.85`,
        event_timestamp: time * 1000,
        timestamp: new Date(time * 1000).toISOString().replace('T', ' '),
        type: 'RouteStatus',
        status: 'ADVERTISED',
        message: {
          prefix: `10.${Math.floor(next() * 255)}.0.0/16`,
          asPath: '65000',
          localPref: 100,
          med: 0,
          weight: 0,
          nextHopIp: '169.254.50.86',
        },
      });
    }
    lines.push({ stream, text });
  }
  return lines;
}

/** Runs the benchmark. */
export async function run(): Promise<BenchReport> {
  const lines = generateLines(RECORDS);
  const texts = lines.map((line) => line.text);
  let sink = 0;

  const classifyAll = (): void => {
    const parsers: StreamParser[] = STREAMS.map((stream) => createAwsS2sParser({ stream }));
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as GeneratedLine;
      const event = (parsers[line.stream] as StreamParser).parse(line.text, {
        origin: { stream: STREAMS[line.stream] as string, line: i + 1 },
      });
      sink += event.category.length;
    }
  };
  const parseOnly = (): void => {
    for (let i = 0; i < texts.length; i++) {
      const value = JSON.parse(texts[i] as string) as { details?: string };
      sink += value.details === undefined ? 1 : 2;
    }
  };

  const { subjectMs, floorMs, ratio } = await ratioOf(classifyAll, parseOnly, {
    rounds: 9,
    warmup: 3,
  });
  if (sink === 0) throw new Error('benchmark produced nothing');
  return {
    title: `aws-s2s classify, ${RECORDS.toLocaleString('en-US')} generated records`,
    figures: [
      { label: 'classify throughput', value: RECORDS / (subjectMs / 1000), unit: 'records/s' },
      {
        label: 'JSON.parse-only floor throughput',
        value: RECORDS / (floorMs / 1000),
        unit: 'records/s',
      },
      {
        label: 'classify time / JSON.parse-only time',
        value: ratio,
        unit: 'x',
        target: { max: 2.0 },
      },
    ],
  };
}
