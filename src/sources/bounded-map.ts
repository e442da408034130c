/**
 * Bounded correlation memory for stream parsers: a `Map` used as a
 * least-recently-stored cache, so a parser's state per stream stays within a
 * fixed number of entries however long the log runs.
 */

/**
 * Stores `value` under `key` as the newest entry of `map` (a key already
 * there moves to the young end), then drops the oldest entry when `map` holds
 * more than `limit` entries. `map` keeps insertion order, so its first key is
 * always the one stored longest ago.
 */
export function rememberBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
