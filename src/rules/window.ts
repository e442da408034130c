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
import { AttemptScoped } from './attempt-scoped.ts';
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

/**
 * The first index of `entries` (sorted) whose time is after `time` (ms), or
 * with `orAt` at or after it (binary search).
 */
function firstAfter(entries: readonly WindowEntry[], time: number, orAt = false): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const t = (entries[middle] as WindowEntry).t;
    if (t > time || (orAt && t === time)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The entries of `entries` (sorted) inside the window of `windowMs` ending at `time` (ms). */
export function entriesAt(
  entries: readonly WindowEntry[],
  time: number,
  windowMs: number,
  maxEntries: number = DEFAULT_WINDOW_MAX_ENTRIES,
): readonly WindowEntry[] {
  const end = firstAfter(entries, time);
  const start = Math.min(firstAfter(entries, time - windowMs), end);
  if (maxEntries > 0 && end - start > maxEntries) return entries.slice(end - maxEntries, end);
  const inside = entries.slice(start, end);
  return inside.length > maxEntries ? inside.slice(-maxEntries) : inside;
}

/**
 * The entries of `entries` (sorted) at or after `from` and before
 * `from + windowMs` (ms): the ones whose window a new entry at `from` is in.
 */
export function entriesFrom(
  entries: readonly WindowEntry[],
  from: number,
  windowMs: number,
): readonly WindowEntry[] {
  const start = firstAfter(entries, from, true);
  let end = start;
  while (end < entries.length && (entries[end] as WindowEntry).t < from + windowMs) end++;
  return entries.slice(start, end);
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

/** What an attempt knows of a window it changes in place. */
interface OwnedWindow {
  /** How many entries carry each event id hash. */
  readonly ids: Map<number, number>;
  /** Entries before this index carry no raw line. */
  rawFrom: number;
}

/**
 * The windows one `StateView` (one pipeline attempt) changes in place: the
 * first observation of a key in an attempt copies its stored entries, later
 * ones change that copy, so a value loaded from a store is never changed and
 * an observation costs the entries of its own window, not the whole key's.
 */
const ownedWindows = new AttemptScoped<WindowState, OwnedWindow>();

/** The window of `key`, owned by `state` (copied from the stored one on first use). */
function ownedWindow(
  state: StateView,
  key: string,
): { readonly window: { entries: WindowEntry[] }; readonly owned: OwnedWindow } {
  const stored = state.get<WindowState>(key);
  const known = stored === undefined ? undefined : ownedWindows.get(state, stored);
  if (stored !== undefined && known !== undefined) {
    return { window: stored as { entries: WindowEntry[] }, owned: known };
  }
  const window = { entries: [...(stored?.entries ?? [])] };
  const owned: OwnedWindow = { ids: new Map(), rawFrom: 0 };
  for (const entry of window.entries) countId(owned, entry, 1);
  ownedWindows.set(state, window, owned);
  return { window, owned };
}

function countId(owned: OwnedWindow, entry: WindowEntry, change: 1 | -1): void {
  if (entry.i === undefined) return;
  const count = (owned.ids.get(entry.i) ?? 0) + change;
  if (count === 0) owned.ids.delete(entry.i);
  else owned.ids.set(entry.i, count);
}

/** Removes `count` entries from the front of an owned window. */
function dropOldest(entries: WindowEntry[], owned: OwnedWindow, count: number): void {
  for (let at = 0; at < count; at++) countId(owned, entries[at] as WindowEntry, -1);
  entries.splice(0, count);
  owned.rawFrom = Math.max(0, owned.rawFrom - count);
}

/**
 * Adds an event to the window of `key` (in time order; an entry with the same
 * id is replaced), drops what fell behind the retention, stores the result and
 * returns all entries kept, oldest first (valid until the key's next
 * observation). `mark` may rewrite the entries of the event's window before
 * storing (e.g. set `covered`).
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
  const { window, owned } = ownedWindow(state, key);
  const entries = window.entries;
  if (entry.i !== undefined && owned.ids.has(entry.i)) {
    // An event observed again replaces its entry.
    let kept = 0;
    for (const old of entries) if (old.i !== entry.i) entries[kept++] = old;
    entries.length = kept;
    owned.ids.delete(entry.i);
    owned.rawFrom = 0;
  }
  const last = entries[entries.length - 1];
  const newest = last === undefined ? entry.t : Math.max(entry.t, last.t);
  const start = newest - retainMs;
  const raw = entry.raw === undefined ? undefined : entry.raw.slice(0, maxRaw);
  const added: WindowEntry = { ...entry, ...(raw === undefined ? {} : { raw }) };
  // Entries stay sorted by time: what fell behind the retention is a prefix,
  // and an out-of-order event is inserted in place (after entries of its time).
  const behind = firstAfter(entries, start);
  if (behind > 0) dropOldest(entries, owned, behind);
  if (added.t > start) {
    let at = entries.length;
    while (at > 0 && (entries[at - 1] as WindowEntry).t > added.t) at--;
    if (at === entries.length) entries.push(added);
    else entries.splice(at, 0, added);
    countId(owned, added, 1);
    owned.rawFrom = Math.min(owned.rawFrom, at);
  }
  if (maxEntries > 0 && entries.length > maxEntries) {
    dropOldest(entries, owned, entries.length - maxEntries);
  }
  if (mark !== undefined) {
    const end = firstAfter(entries, entry.t);
    const from = firstAfter(entries, entry.t - options.windowMs);
    for (let at = from; at < end; at++) {
      const old = entries[at] as WindowEntry;
      const marked = mark(old);
      if (marked === old) continue;
      countId(owned, old, -1);
      countId(owned, marked, 1);
      entries[at] = marked;
      owned.rawFrom = Math.min(owned.rawFrom, at);
    }
  }
  // Evidence only on the newest entries (those before `rawFrom` have none already).
  const evidenceFrom = Math.max(0, entries.length - evidenceLines);
  for (let at = owned.rawFrom; at < evidenceFrom; at++) {
    const old = entries[at] as WindowEntry;
    if (old.raw === undefined) continue;
    const { raw: _dropped, ...rest } = old;
    entries[at] = rest;
  }
  owned.rawFrom = Math.max(owned.rawFrom, evidenceFrom);
  state.set<WindowState>(key, window, newest + retainMs);
  return entries;
}

/**
 * The first time (ms) at which the window of `windowMs` ending there holds
 * `threshold` entries, among the entries at or after `from` and before
 * `from + windowMs` (the ones a new entry at `from` can push over the
 * threshold), skipping times `skip` says are covered already. In order, that
 * is `from` itself or nothing. `entries` are sorted by time.
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
  for (const candidate of entriesFrom(entries, from, windowMs)) {
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
