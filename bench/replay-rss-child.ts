/**
 * Child process of `replay.bench.ts`: runs `tunnelwatch replay --json` on the
 * directory named in argv[2], counting the alerts it prints, and prints
 * `{"alerts":…,"ms":…,"maxRssBytes":…}` (peak RSS over the process's life).
 */
import { main } from '../src/cli/main.ts';

let alerts = 0;
const errors: string[] = [];
const start = process.hrtime.bigint();
const code = await main(['replay', '--json', process.argv[2] ?? ''], {
  isTTY: false,
  out: (line) => {
    if (!line.startsWith('{"summary"')) alerts++;
  },
  err: (line) => errors.push(line),
});
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (code !== 0) {
  process.stderr.write(`replay exited ${code}: ${errors.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({ alerts, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
);
