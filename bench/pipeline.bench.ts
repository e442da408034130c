/**
 * The full pipeline (parse + every rule + state) against classify-only
 * (parse alone) on the same aws-s2s records, and the memory state takes for
 * 10,000 tunnels.
 *
 * Records: 100,000 tunnel-activity JSON records over 1,000 tunnels (100 per
 * tunnel, one stream each), mostly healthy state/rekey records with DPD
 * timeouts, recoveries and PSK mismatches mixed in, so that incidents open
 * and resolve. Both sides parse with the registry's aws-s2s parser.
 *
 * Memory: heap growth after a forced GC once the state of 10,000 tunnels is
 * in a `MemoryStateStore` (the input is released first), plus the serialized
 * size (key + JSON value) of the same state for comparison with DynamoDB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SourceDefinition } from '../src/model.ts';
import { runPipeline, type StreamBatch } from '../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { sourceDefinition } from '../src/sources/index.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { type BenchReport, ratioOf } from './harness.ts';

const TUNNELS = 1_000;
const RECORDS_PER_TUNNEL = 100;
const MEMORY_TUNNELS = 10_000;
const START = Date.parse('2025-04-25T00:00:00Z');

/** The record shapes a tunnel goes through, in order; weights by repetition. */
const HEALTHY = (details: string) => ({
  details,
  phase1: 'established',
  phase2: 'established',
});
const SCRIPT: readonly { details: string; phase1: string; phase2: string }[] = [
  ...Array.from({ length: 40 }, () => HEALTHY('AWS tunnel is sending DPD request')),
  HEALTHY('AWS tunnel Phase 2 CREATE_CHILD_SA request sent'),
  HEALTHY('AWS tunnel Phase 2 CREATE_CHILD_SA response received'),
  { details: 'AWS tunnel DPD timed out. Peer is not responsive', phase1: 'down', phase2: 'down' },
  {
    details: 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
    phase1: 'down',
    phase2: 'down',
  },
  { details: 'AWS tunnel Phase 1 is negotiating', phase1: 'negotiating', phase2: 'down' },
  ...Array.from({ length: 55 }, () => HEALTHY('AWS tunnel is sending DPD request')),
];

function tunnelStream(index: number): string {
  const hex = index.toString(16).padStart(17, '0');
  const ip = `198.${18 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
  return `vpn-${hex}-${ip}`;
}

function record(time: number, step: { details: string; phase1: string; phase2: string }): string {
  return JSON.stringify({
    event_timestamp: Math.floor(time / 1000),
    timestamp: new Date(time).toISOString().replace('T', ' '),
    details: step.details,
    dpd_enabled: true,
    nat_t_detected: false,
    ike_phase1_state: step.phase1,
    ike_phase2_state: step.phase2,
  });
}

/** One batch per tunnel, `records` records each, 30 s apart. */
function tunnelBatches(tunnels: number, records: number): StreamBatch[] {
  return Array.from({ length: tunnels }, (_, tunnel) => ({
    source: 'aws-s2s' as const,
    stream: tunnelStream(tunnel),
    logGroup: '/aws/vendedlogs/vpn/bench',
    lines: Array.from({ length: records }, (_, i) => {
      const step = SCRIPT[i % SCRIPT.length] ?? SCRIPT[0];
      const time = START + i * 30_000 + tunnel;
      return {
        text: record(time, step as (typeof SCRIPT)[number]),
        eventId: `${tunnel}-${i}`,
        timestamp: time,
      };
    }),
  }));
}

function awsS2s(): SourceDefinition {
  const definition = sourceDefinition('aws-s2s');
  if (definition === undefined) throw new Error('the aws-s2s source is not registered');
  return definition;
}

/** Parses every line as the pipeline does, without rules or state. */
function classifyOnly(definition: SourceDefinition, batches: readonly StreamBatch[]): number {
  let parsed = 0;
  for (const batch of batches) {
    const parser = definition.createParser({ stream: batch.stream, timeZone: 'UTC' });
    batch.lines.forEach((line, index) => {
      const event = parser.parse(line.text, {
        eventId: line.eventId ?? String(index),
        ...(line.timestamp === undefined ? {} : { timestamp: line.timestamp }),
        origin: {
          stream: batch.stream,
          ...(batch.logGroup === undefined ? {} : { logGroup: batch.logGroup }),
        },
      });
      if (event.category !== 'malformed') parsed++;
    });
  }
  return parsed;
}

function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

async function stateMemory(): Promise<{ heapMb: number; serializedMb: number; keys: number }> {
  const gc = forceGc();
  const clock = () => START;
  const store = new MemoryStateStore(clock);
  gc();
  const before = process.memoryUsage().heapUsed;
  {
    // 20 records per tunnel: through the DPD timeout/PSK mismatch, so half the
    // tunnels end with an open incident and cause cooldowns.
    const batches = tunnelBatches(MEMORY_TUNNELS, 0);
    for (const [index, batch] of batches.entries()) {
      const offset = index % 2 === 0 ? 30 : 42;
      const lines = Array.from({ length: 20 }, (_, i) => {
        const step = SCRIPT[(offset + i) % SCRIPT.length] as (typeof SCRIPT)[number];
        const time = START + i * 30_000;
        return { text: record(time, step), eventId: `${index}-${i}`, timestamp: time };
      });
      await runPipeline([{ ...batch, lines }], { store, config: DEFAULT_RULES_CONFIG, now: clock });
    }
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  let serialized = 0;
  const entries = await store.getMany(store.keys());
  for (const [key, entry] of entries) serialized += key.length + JSON.stringify(entry.value).length;
  return {
    heapMb: (after - before) / 1024 / 1024,
    serializedMb: serialized / 1024 / 1024,
    keys: entries.size,
  };
}

/** `npm run bench pipeline`. */
export async function run(): Promise<BenchReport> {
  const definition = awsS2s();
  const batches = tunnelBatches(TUNNELS, RECORDS_PER_TUNNEL);
  const oneCall = await ratioOf(
    () =>
      runPipeline(batches, {
        store: new MemoryStateStore(() => START),
        config: DEFAULT_RULES_CONFIG,
      }),
    () => classifyOnly(definition, batches),
    { rounds: 5, warmup: 1 },
  );
  const perStream = await ratioOf(
    async () => {
      const store = new MemoryStateStore(() => START);
      for (const batch of batches)
        await runPipeline([batch], { store, config: DEFAULT_RULES_CONFIG });
    },
    () => classifyOnly(definition, batches),
    { rounds: 5, warmup: 1 },
  );
  const memory = await stateMemory();
  return {
    title: `Pipeline: ${(TUNNELS * RECORDS_PER_TUNNEL).toLocaleString('en-US')} aws-s2s records over ${TUNNELS.toLocaleString('en-US')} tunnels, ${ALL_RULES.length} rules`,
    figures: [
      { label: 'classify-only (median)', value: oneCall.floorMs, unit: 'ms' },
      {
        label: 'full pipeline, one call for all streams (median)',
        value: oneCall.subjectMs,
        unit: 'ms',
      },
      {
        label: 'full pipeline / classify-only, one call',
        value: oneCall.ratio,
        unit: 'x',
        target: { max: 1.5 },
      },
      {
        label: 'full pipeline / classify-only, one call per stream (Lambda-like)',
        value: perStream.ratio,
        unit: 'x',
      },
      {
        label: `state heap for ${MEMORY_TUNNELS.toLocaleString('en-US')} tunnels (after GC, ${memory.keys.toLocaleString('en-US')} keys)`,
        value: memory.heapMb,
        unit: 'MB',
        target: { max: 50 },
      },
      {
        label: 'same state serialized (keys + JSON values)',
        value: memory.serializedMb,
        unit: 'MB',
      },
    ],
  };
}
