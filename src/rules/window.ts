/**
 * N events in a sliding window, by key: the generic block behind
 * `auth.bruteforce`, `probe.scan` and `admin.bruteforce`.
 *
 * State per key is bounded: only entries inside the window are kept (at most
 * `maxEntries`, newest first to survive), evidence text only on the newest
 * `evidenceLines` entries, and the key expires at the end of the window
 * (newest entry time + window length).
 */
import type { StateView } from './rule.ts';

/** One event remembered in a window. Short member names: this is stored JSON. */
export interface WindowEntry {
  /** Event time, epoch ms. */
  readonly t: number;
  /** What the entry is about besides the key (e.g. the client address for a per-user window). */
  readonly tag?: string;
  /** Set when an alert of higher precedence already covers this entry. */
  readonly covered?: boolean;
  /** The event's raw line, truncated (evidence for the alert). */
  readonly raw?: string;
}

/** The stored value of a window key. */
export interface WindowState {
  readonly entries: readonly WindowEntry[];
}

/** How a window is shaped. */
export interface WindowOptions {
  /** Window length, ms. */
  readonly windowMs: number;
  /** Most entries kept per key; default 200 (counts saturate there). */
  readonly maxEntries?: number;
  /** Newest entries that keep their raw line as evidence; default 5. */
  readonly evidenceLines?: number;
  /** Longest raw line kept, characters; default 500. */
  readonly maxRawLength?: number;
}

/** Default bound on entries per window key. */
export const DEFAULT_WINDOW_MAX_ENTRIES = 200;
/** Default number of raw lines kept per window key. */
export const DEFAULT_WINDOW_EVIDENCE_LINES = 5;
/** Default longest raw line kept in a window, characters. */
export const DEFAULT_WINDOW_MAX_RAW_LENGTH = 500;

/** The entries of `key` still inside the window ending at `time` (ms). */
export function windowEntries(
  state: StateView,
  key: string,
  time: number,
  windowMs: number,
): readonly WindowEntry[] {
  const entries = state.get<WindowState>(key)?.entries ?? [];
  const start = time - windowMs;
  return entries.filter((entry) => entry.t > start && entry.t <= time);
}

/**
 * Adds an event at `time` (ms) to the window of `key`, drops what fell out of
 * the window, stores the result and returns the entries now in the window
 * (oldest first). `mark` may rewrite entries before storing (e.g. set `covered`).
 */
export function observeWindow(
  state: StateView,
  key: string,
  entry: WindowEntry,
  options: WindowOptions,
  mark?: (entry: WindowEntry) => WindowEntry,
): readonly WindowEntry[] {
  const maxEntries = options.maxEntries ?? DEFAULT_WINDOW_MAX_ENTRIES;
  const evidenceLines = options.evidenceLines ?? DEFAULT_WINDOW_EVIDENCE_LINES;
  const maxRaw = options.maxRawLength ?? DEFAULT_WINDOW_MAX_RAW_LENGTH;
  const previous = state.get<WindowState>(key)?.entries ?? [];
  const newest = Math.max(entry.t, ...previous.slice(-1).map((last) => last.t));
  const start = newest - options.windowMs;
  const raw = entry.raw === undefined ? undefined : entry.raw.slice(0, maxRaw);
  const added: WindowEntry = { ...entry, ...(raw === undefined ? {} : { raw }) };
  // Entries stay sorted by time; an out-of-order event is inserted in place.
  const kept = previous.filter((old) => old.t > start);
  let at = kept.length;
  while (at > 0 && (kept[at - 1]?.t ?? 0) > added.t) at--;
  const all = [...kept.slice(0, at), added, ...kept.slice(at)].filter((e) => e.t > start);
  const bounded = all.slice(-maxEntries).map((e, index, list) => {
    const marked = mark === undefined ? e : mark(e);
    if (index >= list.length - evidenceLines || marked.raw === undefined) return marked;
    const { raw: _dropped, ...rest } = marked;
    return rest;
  });
  state.set<WindowState>(key, { entries: bounded }, newest + options.windowMs);
  return bounded;
}

/** The raw lines kept in `entries`, oldest first. */
export function windowEvidence(entries: readonly WindowEntry[]): string[] {
  return entries.flatMap((entry) => (entry.raw === undefined ? [] : [entry.raw]));
}
