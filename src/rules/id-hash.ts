/**
 * Event ids as numbers: the pipeline remembers processed events by them, and
 * windows recognise an event observed again.
 */

/**
 * A 53-bit hash of an event id, as a JSON-safe integer: keeps the
 * stored records small whatever the id length (CloudWatch ids have 56
 * digits). cyrb53 (public domain); among 40,000 ids the chance of a
 * collision is about 1 in 10^7.
 */
export function eventIdHash(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
