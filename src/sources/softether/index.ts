/**
 * The SoftEther VPN / PacketiX VPN source: server, security and packet logs,
 * in file form or as syslog (docs/softether.md).
 */
import type { SourceDefinition } from '../../model.ts';
import { looksLikeSoftether } from './framing.ts';
import { createSoftetherParser } from './parser.ts';

/** Sniffing and parser creation for `--source softether` / auto-detection. */
export const softetherSource: SourceDefinition = {
  source: 'softether',
  sniff: looksLikeSoftether,
  createParser: createSoftetherParser,
};
