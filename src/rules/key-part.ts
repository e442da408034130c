/**
 * Bounded state key parts: user names, addresses and hub names come from
 * logs, and a state key must stay well under DynamoDB's 2,048-byte limit.
 */
import { createHash } from 'node:crypto';

/** Longest part of a state key taken from a log, characters. */
export const MAX_KEY_PART = 128;

/** A log-derived key part, bounded: a longer value keeps a prefix and a hash of the whole. */
export function keyPart(value: string): string {
  if (value.length <= MAX_KEY_PART) return value;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 16);
  return `${value.slice(0, MAX_KEY_PART - 17)}#${digest}`;
}
