/**
 * Reads the log files a real server wrote the way tunnelwatch does: each file
 * is one stream, parsed line by line into events, and all of them go through
 * the whole pipeline for the alerts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert, SourceDefinition, VpnEvent } from '../../src/model.ts';
import { runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { compareLogFileNames, softetherStreamName } from '../../src/sources/softether/files.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';

/** One file's lines and the stream name tunnelwatch gives it. */
export interface LogStream {
  readonly file: string;
  readonly stream: string;
  readonly lines: readonly string[];
}

/** Every `*.log` file under `dir`, directories first-to-last, files chronologically. */
export function logFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    const names = readdirSync(folder).sort(compareLogFileNames);
    for (const name of names) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.log')) files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** The streams of the given files (stream name as the CLI derives it). */
export function readStreams(files: readonly string[]): LogStream[] {
  return files.map((file) => ({
    file,
    stream: softetherStreamName(file) ?? file,
    lines: readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  }));
}

/** Each stream's lines parsed by a fresh parser of `source`, in order. */
export function parseStreams(
  source: SourceDefinition,
  streams: readonly LogStream[],
  timeZone = 'UTC',
): VpnEvent[] {
  return streams.flatMap((stream) => {
    const parser = source.createParser({ timeZone, stream: stream.stream });
    return stream.lines.map((line, index) =>
      parser.parse(line, { origin: { stream: stream.stream, file: stream.file, line: index + 1 } }),
    );
  });
}

/** The alerts the whole pipeline raises on the streams (in-memory state, default rules). */
export async function alertsOf(
  source: SourceDefinition,
  streams: readonly LogStream[],
  timeZone = 'UTC',
): Promise<readonly Alert[]> {
  const batches: StreamBatch[] = streams.map((stream) => ({
    source: source.source,
    stream: stream.stream,
    file: stream.file,
    timeZone,
    lines: stream.lines.map((text, index) => ({ text, line: index + 1, timestamp: Date.now() })),
  }));
  const now = Date.now();
  const result = await runPipeline(batches, {
    store: new MemoryStateStore(() => now),
    config: DEFAULT_RULES_CONFIG,
    now: () => now,
    sources: [source],
  });
  return result.alerts;
}

/** The events whose raw line contains `text`. */
export function eventsWith(events: readonly VpnEvent[], text: string): VpnEvent[] {
  return events.filter((event) => event.raw.includes(text));
}
