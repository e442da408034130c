/**
 * `tunnelwatch classify`: one NDJSON object per input line (docs/cli.md).
 */
import { safeJson } from '../../alerts/sanitize.ts';
import { isoTime, type VpnEvent } from '../../model.ts';
import { UnreadableInputError, UnrecognisedInputError } from '../errors.ts';
import { expandEach, openInput } from '../input.ts';
import { inputOptions, noZoneWarning, parseCommandArgs } from '../options.ts';
import type { CommandIO } from './io.ts';

export const CLASSIFY_USAGE =
  'usage: tunnelwatch classify [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] FILE...';

/** The NDJSON shape `classify` prints for one line (docs/cli.md). */
export function classifiedLine(file: string, line: number, event: VpnEvent): string {
  return safeJson({
    file,
    line,
    source: event.source,
    category: event.category,
    severity: event.severity,
    time: event.time === null ? null : isoTime(event.time),
    fields: event.fields,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  });
}

/** Runs `classify`; returns the exit code. */
export async function classifyCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  if (values.help) {
    io.out(CLASSIFY_USAGE);
    return 0;
  }
  const options = inputOptions(values);
  if (positionals.length === 0) {
    io.err(`tunnelwatch classify: no FILE given\n${CLASSIFY_USAGE}`);
    return 2;
  }
  const named = new Set(positionals);
  const expanded = await expandEach(positionals, io.err);
  let exitCode = expanded.failed ? 1 : 0;
  for (const { path } of expanded.files) {
    try {
      let input: Awaited<ReturnType<typeof openInput>>;
      try {
        input = await openInput(path, options);
      } catch (error) {
        // Found in a directory and not recognised, or empty: skip it with a
        // note, as replay does; a named file that is not recognised is also
        // skipped, and makes the exit code 1 (below).
        if (!(error instanceof UnrecognisedInputError) || (named.has(path) && !error.empty)) {
          throw error;
        }
        io.err(`tunnelwatch classify: ${error.message}`);
        continue;
      }
      if (input.zoneGuessed) io.err(noZoneWarning('classify', path, input.definition.source));
      for await (const line of input.lines) {
        if (line.text.trim() === '') continue;
        const event = input.parser.parse(line.text, {
          origin: { file: path, line: line.number, stream: input.stream },
        });
        io.out(classifiedLine(path, line.number, event));
      }
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      io.err(`tunnelwatch classify: ${error.message}`);
      exitCode = 1;
    }
  }
  return exitCode;
}
