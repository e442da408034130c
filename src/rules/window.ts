/**
 * N events in a sliding window, by key: the generic block behind
 * `auth.bruteforce`, `probe.scan` and `admin.bruteforce`.
 *
 * Events may arrive in any order and twice: entries are kept sorted by event
 * time and by event id (an event observed again replaces its entry), and the
 * window of an event is the one that ends at the event's own time. Entries
 * are kept for `retainMs` behind the newest (the lateness bound), so a late
 * event is counted with the events around it.
 *
 * State per key is bounded: at most `maxEntries` entries (the newest
 * survive), evidence text only on the newest `evidenceLines` entries, and the
 * key expires `retainMs` after its newest entry.
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
  /** The event's id, hashed (an event observed again replaces its entry). */
  readonly i?: number;
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
  /** How long (ms) entries are kept behind the newest; default `DEFAULT_WINDOW_RETAIN_MS`. */
  readonly retainMs?: number;
}

/** How long entries are kept behind a key's newest entry: the pipeline's lateness bound. */
export const DEFAULT_WINDOW_RETAIN_MS = 24 * 60 * 60_000;

/** Default bound on entries per window key. */
export const DEFAULT_WINDOW_MAX_ENTRIES = 200;
/** Default number of raw lines kept per window key. */
export const DEFAULT_WINDOW_EVIDENCE_LINES = 5;
/** Default longest raw line kept in a window, characters. */
export const DEFAULT_WINDOW_MAX_RAW_LENGTH = 500;

/** The entries of `entries` (sorted) inside the window of `windowMs` ending at `time` (ms). */
export function entriesAt(
  entries: readonly WindowEntry[],
  time: number,
  windowMs: number,
  maxEntries: number = DEFAULT_WINDOW_MAX_ENTRIES,
): readonly WindowEntry[] {
  const start = time - windowMs;
  const inside = entries.filter((entry) => entry.t > start && entry.t <= time);
  return inside.length > maxEntries ? inside.slice(-maxEntries) : inside;
}

/** The entries of `key` still inside the window ending at `time` (ms). */
export function windowEntries(
  state: StateView,
  key: string,
  time: number,
  windowMs: number,
): readonly WindowEntry[] {
  return entriesAt(state.get<WindowState>(key)?.entries ?? [], time, windowMs);
}

/**
 * Adds an event to the window of `key` (in time order; an entry with the same
 * id is replaced), drops what fell behind the retention, stores the result and
 * returns all entries kept, oldest first. `mark` may rewrite the entries of
 * the event's window before storing (e.g. set `covered`).
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
  const retainMs = Math.max(options.retainMs ?? DEFAULT_WINDOW_RETAIN_MS, options.windowMs);
  const previous = (state.get<WindowState>(key)?.entries ?? []).filter(
    (old) => entry.i === undefined || old.i !== entry.i,
  );
  const newest = Math.max(entry.t, ...previous.slice(-1).map((last) => last.t));
  const start = newest - retainMs;
  const raw = entry.raw === undefined ? undefined : entry.raw.slice(0, maxRaw);
  const added: WindowEntry = { ...entry, ...(raw === undefined ? {} : { raw }) };
  // Entries stay sorted by time; an out-of-order event is inserted in place.
  const kept = previous.filter((old) => old.t > start);
  let at = kept.length;
  while (at > 0 && (kept[at - 1]?.t ?? 0) > added.t) at--;
  const all = [...kept.slice(0, at), added, ...kept.slice(at)].filter((e) => e.t > start);
  const windowStart = entry.t - options.windowMs;
  const bounded = all.slice(-maxEntries).map((e, index, list) => {
    const marked = mark === undefined || e.t <= windowStart || e.t > entry.t ? e : mark(e);
    if (index >= list.length - evidenceLines || marked.raw === undefined) return marked;
    const { raw: _dropped, ...rest } = marked;
    return rest;
  });
  state.set<WindowState>(key, { entries: bounded }, newest + retainMs);
  return bounded;
}

/**
 * The first time (ms) at which the window of `windowMs` ending there holds
 * `threshold` entries, among the entries at or after `from` and before
 * `from + windowMs` (the ones a new entry at `from` can push over the
 * threshold), skipping times `skip` says are covered already. In order, that
 * is `from` itself or nothing.
 */
export function crossingAt(
  entries: readonly WindowEntry[],
  from: number,
  windowMs: number,
  threshold: number,
  maxEntries: number,
  skip: (time: number) => boolean,
):
  | { readonly time: number; readonly window: readonly WindowEntry[] }
  | { readonly covered: true }
  | undefined {
  let covered = false;
  for (const candidate of entries) {
    if (candidate.t < from || candidate.t >= from + windowMs) continue;
    const window = entriesAt(entries, candidate.t, windowMs, maxEntries);
    if (window.length < threshold) continue;
    if (skip(candidate.t)) {
      covered = true;
      continue;
    }
    return { time: candidate.t, window };
  }
  return covered ? { covered: true } : undefined;
}

/** The raw lines kept in `entries`, oldest first. */
export function windowEvidence(entries: readonly WindowEntry[]): string[] {
  return entries.flatMap((entry) => (entry.raw === undefined ? [] : [entry.raw]));
}
