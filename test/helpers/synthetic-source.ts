/**
 * A synthetic log source for rule and pipeline tests, before (and independent
 * of) the real parsers: each line is a JSON object
 * `{"t":"2025-04-25T10:00:00Z","c":"auth.failed","f":{"clientIp":"203.0.113.5"}}`
 * (`t` optional, `c` a category, `f` fields, `s` severity). Anything else is
 * `malformed`.
 */
import {
  CATEGORIES,
  type Category,
  type EventFields,
  type LineContext,
  type Severity,
  type Source,
  type SourceDefinition,
  type StreamParser,
  type VpnEvent,
} from '../../src/model.ts';
import type { RawLine, StreamBatch } from '../../src/pipeline.ts';

/** A parsed synthetic line. */
interface SyntheticLine {
  readonly t?: string;
  readonly c: Category;
  readonly f?: EventFields;
  readonly s?: Severity;
}

/** A `SourceDefinition` of synthetic JSON lines that claims to be `source`. */
export function syntheticSource(source: Source): SourceDefinition {
  const parser: StreamParser = {
    source,
    parse(line: string, context: LineContext): VpnEvent {
      const id = context.eventId ?? `${context.origin.stream}:${context.origin.line}`;
      const base = { id, source, raw: line, origin: context.origin, message: line };
      let parsed: SyntheticLine;
      try {
        parsed = JSON.parse(line) as SyntheticLine;
      } catch {
        return {
          ...base,
          category: 'malformed',
          severity: 'info',
          time: null,
          fields: {},
          reason: 'not JSON',
        };
      }
      if (!(CATEGORIES as readonly string[]).includes(parsed.c)) {
        return { ...base, category: 'unclassified', severity: 'info', time: null, fields: {} };
      }
      const time = parsed.t === undefined ? (context.timestamp ?? null) : Date.parse(parsed.t);
      return {
        ...base,
        category: parsed.c,
        severity: parsed.s ?? 'info',
        time,
        fields: parsed.f ?? {},
      };
    },
  };
  return {
    source,
    sniff: (line) => line.startsWith('{"t"') || line.startsWith('{"c"'),
    createParser: () => parser,
  };
}

/** Every source as a synthetic one, for `PipelineOptions.sources`. */
export const SYNTHETIC_SOURCES: readonly SourceDefinition[] = [
  syntheticSource('openvpn'),
  syntheticSource('softether'),
  syntheticSource('aws-s2s'),
];

/** Base time of the scenarios: 2025-04-25T10:00:00Z, epoch ms. */
export const T0 = Date.parse('2025-04-25T10:00:00Z');

/** A synthetic line at `T0 + minutes`. */
export function line(minutes: number, category: Category, fields: EventFields = {}): string {
  return JSON.stringify({
    t: new Date(T0 + minutes * 60_000).toISOString(),
    c: category,
    f: fields,
  });
}

/** A batch of synthetic lines for one stream; line numbers from 1. */
export function batch(
  stream: string,
  lines: readonly string[],
  source: Source = 'openvpn',
  extra: Partial<StreamBatch> = {},
): StreamBatch {
  const raw: RawLine[] = lines.map((text, index) => ({ text, line: index + 1 }));
  return { source, stream, file: `${stream}.log`, lines: raw, ...extra };
}
