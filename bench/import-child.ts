/**
 * Child process of bench/import.bench.ts: imports one directory into the
 * emulator and prints its figures and its own peak RSS as one JSON line.
 * Usage: import-child.ts ENDPOINT|noop GROUP DIR STATE
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CheckpointFile } from '../src/aws/checkpoint.ts';
import { DEFAULT_RETRY } from '../src/aws/cloudwatch-logs.ts';
import { importLogs } from '../src/aws/importer.ts';
import { expandInputs } from '../src/cli/input.ts';

const [endpoint, group, directory, state] = process.argv.slice(2);
if (
  endpoint === undefined ||
  group === undefined ||
  directory === undefined ||
  state === undefined
) {
  throw new Error('usage: import-child.ts ENDPOINT GROUP DIR STATE');
}
// ENDPOINT `noop`: a client that accepts every request at once (the importer's own cost).
const client =
  endpoint === 'noop'
    ? ({ send: async () => ({}) } as unknown as CloudWatchLogsClient)
    : new CloudWatchLogsClient({
        region: 'us-east-1',
        endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
const started = process.hrtime.bigint();
const result = await importLogs(
  {
    logGroup: group,
    files: await expandInputs([directory]),
    source: 'auto',
    timeZone: 'Asia/Tokyo',
  },
  {
    client,
    checkpoints: await CheckpointFile.load(state),
    rejectsPath: `${state}.rejects`,
    retry: DEFAULT_RETRY,
  },
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  JSON.stringify({
    events: result.progress.events,
    imported: result.progress.imported,
    rejected: result.progress.rejected,
    batches: result.progress.batches,
    seconds,
    fill: result.fill,
    // resourceUsage().maxRSS is in kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
