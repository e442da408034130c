import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ReplayFile, streamReplay } from '../../src/cli/commands/replay-stream.ts';
import { UnreadableInputError } from '../../src/cli/errors.ts';
import { expandInputs, type InputLine, openInput, readLines } from '../../src/cli/input.ts';
import type { InputOptions } from '../../src/cli/options.ts';
import { ReplayClock } from '../../src/deliveries.ts';
import type { VpnEvent } from '../../src/model.ts';
import { runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { line, syntheticSource, T0 } from '../helpers/synthetic-source.ts';

const SYNTHETIC = syntheticSource('openvpn');

/** The files as `replay` chooses them, and as whole batches (what replay did before it streamed). */
async function inputsOf(
  paths: readonly string[],
  options: InputOptions,
): Promise<{ files: ReplayFile[]; batches: StreamBatch[] }> {
  const files: ReplayFile[] = [];
  const batches: StreamBatch[] = [];
  for (const path of await expandInputs(paths)) {
    const opened = await openInput(path, options);
    await opened.close();
    files.push({
      path,
      stream: opened.stream,
      definition: opened.definition,
      timeZone: options.timeZone,
    });
    const lines = [];
    for await (const { text, number } of readLines(path)) lines.push({ text, line: number });
    batches.push({
      source: opened.definition.source,
      stream: opened.stream,
      file: path,
      timeZone: options.timeZone,
      lines,
    });
  }
  return { files, batches };
}

const pipelineOptions = (sources = undefined as undefined | (typeof SYNTHETIC)[]) => ({
  store: new MemoryStateStore(),
  config: DEFAULT_RULES_CONFIG,
  ...(sources === undefined ? {} : { sources }),
});

describe('streamReplay', () => {
  it('gives the whole-file replay’s result on every sample', async () => {
    const options: InputOptions = { source: 'auto', timeZone: 'Asia/Tokyo' };
    const all = await inputsOf(
      ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'],
      options,
    );
    const reference = await runPipeline(all.batches, pipelineOptions());
    expect(reference.alerts.length).toBeGreaterThan(10);
    expect(await streamReplay(all.files, pipelineOptions())).toEqual(reference);
  });

  it('hands the pipeline every event in the whole-file merge order and gets its alerts, however it cuts the chunks', async () => {
    const options: InputOptions = { source: 'auto', timeZone: 'Asia/Tokyo' };
    const all = await inputsOf(
      ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'],
      options,
    );
    const seen = (events: string[]) => (event: VpnEvent) =>
      events.push(`${event.id} ${event.time} ${event.category}`);
    const reference: string[] = [];
    const whole = await runPipeline(all.batches, {
      ...pipelineOptions(),
      onEvent: seen(reference),
    });
    expect(reference).toHaveLength(whole.events);
    for (const chunkLines of [1, 3, 7, 64]) {
      const events: string[] = [];
      // As the CLI runs it: the store's clock follows the events.
      const clock = new ReplayClock();
      const streamed = await streamReplay(all.files, {
        store: new MemoryStateStore(clock.now),
        config: DEFAULT_RULES_CONFIG,
        now: clock.now,
        chunkLines,
        onEvent: (event) => {
          clock.observe(event);
          seen(events)(event);
        },
      });
      expect(events).toEqual(reference);
      expect(streamed.byCategory).toEqual(whole.byCategory);
      expect(streamed.alerts.map((a) => a.id)).toEqual(whole.alerts.map((a) => a.id));
    }
  });

  describe('with out-of-order lines, lines without time and a file given twice', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tw-stream-'));
      const failed = (m: number, ip: string) => line(m, 'auth.failed', { clientIp: ip });
      await writeFile(
        join(dir, 'a.log'),
        [
          '{"c":"auth.failed","f":{"clientIp":"203.0.113.5"}}',
          failed(1, '203.0.113.5'),
          failed(0.5, '203.0.113.5'),
          '',
          '{"c":"auth.failed","f":{"clientIp":"203.0.113.5"}}',
          failed(3, '203.0.113.9'),
          'not json',
          failed(4, '203.0.113.5'),
          failed(4.5, '203.0.113.5'),
        ].join('\n'),
      );
      await writeFile(
        join(dir, 'b.log'),
        [0.5, 1, 2, 2, 3.5, 5, 6].map((m) => failed(m, '203.0.113.9')).join('\n'),
      );
    });

    it('merges and cuts anywhere without changing the order or the times', async () => {
      const options: InputOptions = { source: 'openvpn', timeZone: 'UTC' };
      const paths = [join(dir, 'a.log'), join(dir, 'b.log'), join(dir, 'a.log')];
      const inputs = await inputsOf(paths, options);
      const files = inputs.files.map((file) => ({ ...file, definition: SYNTHETIC }));
      const seen = (events: string[]) => (event: VpnEvent) =>
        events.push(`${event.id} ${event.time}`);
      const reference: string[] = [];
      const whole = await runPipeline(inputs.batches, {
        ...pipelineOptions([SYNTHETIC]),
        onEvent: seen(reference),
      });
      expect(reference).toContain(`${join(dir, 'a.log')}:a:5 ${T0 + 30_000}`);
      expect(whole.alerts.map((a) => a.key).sort()).toEqual([
        'openvpn:client:203.0.113.5',
        'openvpn:client:203.0.113.9',
      ]);
      expect(await streamReplay(files, pipelineOptions([SYNTHETIC]))).toEqual(whole);
      for (const chunkLines of [1, 2, 3, 5]) {
        const events: string[] = [];
        const streamed = await streamReplay(files, {
          ...pipelineOptions([SYNTHETIC]),
          chunkLines,
          onEvent: seen(events),
        });
        expect({ chunkLines, events }).toEqual({ chunkLines, events: reference });
        expect(streamed.events).toBe(whole.events);
      }
    });
  });

  it('gives one file, cut anywhere, the pipeline’s own times without parsing it twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-stream-one-'));
    const path = join(dir, 'one.log');
    const texts = [line(0, 'auth.failed'), 'not json', 'not json', line(2, 'auth.failed'), 'no'];
    await writeFile(path, texts.join('\n'));
    const file = { path, stream: 'one', definition: SYNTHETIC, timeZone: 'UTC' };
    let parsed = 0;
    const counting = {
      ...SYNTHETIC,
      createParser: (options: Parameters<typeof SYNTHETIC.createParser>[0]) => {
        const parser = SYNTHETIC.createParser(options);
        return {
          ...parser,
          parse: (...args: Parameters<typeof parser.parse>) => {
            parsed++;
            return parser.parse(...args);
          },
        };
      },
    };
    const seen = (events: string[]) => (event: VpnEvent) =>
      events.push(`${event.id} ${event.time}`);
    const reference: string[] = [];
    await runPipeline(
      [
        {
          source: 'openvpn',
          stream: 'one',
          file: path,
          lines: texts.map((text, i) => ({ text, line: i + 1 })),
        },
      ],
      {
        ...pipelineOptions([SYNTHETIC]),
        onEvent: seen(reference),
      },
    );
    expect(reference[2]).toBe(`${path}:one:3 ${T0}`);
    for (const chunkLines of [1, 2, 3]) {
      const events: string[] = [];
      parsed = 0;
      await streamReplay([{ ...file, definition: counting }], {
        ...pipelineOptions([counting]),
        chunkLines,
        onEvent: seen(events),
      });
      expect({ chunkLines, events }).toEqual({ chunkLines, events: reference });
      expect(parsed).toBe(5);
    }
  });

  it('keeps only the files that overlap in time open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-stream-open-'));
    const paths: string[] = [];
    for (let day = 0; day < 30; day++) {
      const path = join(dir, `day${String(day).padStart(2, '0')}.log`);
      paths.push(path);
      await writeFile(
        path,
        [0, 1, 2].map((m) => line(day * 24 * 60 + m, 'auth.succeeded')).join('\n'),
      );
    }
    let open = 0;
    let mostOpen = 0;
    const counting = (path: string): AsyncIterator<InputLine> => {
      const inner = readLines(path);
      open++;
      mostOpen = Math.max(mostOpen, open);
      let closed = false;
      const done = () => {
        if (!closed) open--;
        closed = true;
      };
      return {
        next: async () => {
          const next = await inner.next();
          if (next.done === true) done();
          return next;
        },
        return: async () => {
          done();
          return inner.return(undefined);
        },
      };
    };
    const files = paths.map((path) => ({
      path,
      stream: 'gw',
      definition: SYNTHETIC,
      timeZone: 'UTC',
    }));
    const result = await streamReplay(files, {
      ...pipelineOptions([SYNTHETIC]),
      readLines: counting,
      chunkLines: 4,
    });
    expect(result.events).toBe(90);
    expect(mostOpen).toBeLessThanOrEqual(2);
    expect(open).toBe(0);
  });

  it('tells of a file that fails while read, keeps its lines read before and goes on', async () => {
    const lines = [0, 1, 2, 3].map((m) => ({ text: line(m, 'auth.succeeded'), number: m + 1 }));
    const failing = (path: string): AsyncIterator<InputLine> => {
      let n = 0;
      return {
        next: async () => {
          if (path === 'bad.log' && n === 2) throw new UnreadableInputError(path, new Error('EIO'));
          const value = lines[n++];
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
      };
    };
    const failures: string[] = [];
    const file = (path: string) => ({ path, stream: path, definition: SYNTHETIC, timeZone: 'UTC' });
    const result = await streamReplay([file('bad.log'), file('good.log')], {
      ...pipelineOptions([SYNTHETIC]),
      readLines: failing,
      onUnreadable: (error) => failures.push(error.message),
    });
    expect(failures).toEqual(['cannot read bad.log: EIO']);
    expect(result.events).toBe(6);
  });
});
