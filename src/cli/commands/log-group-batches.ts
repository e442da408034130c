/**
 * Events read from a log group (FilterLogEvents) as pipeline batches, one per
 * log stream, each line keeping its CloudWatch event id and timestamp
 * (`tail`, `report --log-group`).
 */
import type { FilteredEvent } from '../../aws/cloudwatch-logs.ts';
import type { StreamBatch } from '../../pipeline.ts';
import type { SourceChoice } from '../options.ts';

/** One batch per stream of `byStream`, in the map's order, each in its stream's zone. */
export function logGroupBatches(
  byStream: ReadonlyMap<string, readonly FilteredEvent[]>,
  logGroup: string,
  source: SourceChoice,
  zoneOf: (stream: string) => string,
): StreamBatch[] {
  return [...byStream].map(([stream, events]) => ({
    source,
    stream,
    logGroup,
    timeZone: zoneOf(stream),
    lines: events.map((event) => ({
      text: event.message,
      eventId: event.eventId,
      timestamp: event.timestamp,
    })),
  }));
}

/** Appends `event` to its stream's list in `byStream`. */
export function addToStream(byStream: Map<string, FilteredEvent[]>, event: FilteredEvent): void {
  const list = byStream.get(event.logStreamName);
  if (list === undefined) byStream.set(event.logStreamName, [event]);
  else list.push(event);
}
