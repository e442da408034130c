/**
 * The OpenVPN source: OpenVPN servers' own logs (file, syslog, journald) and
 * the NIFCLOUD / FJcloud-V remote-access VPN gateway log. See docs/openvpn.md.
 */
import type { SourceDefinition } from '../../model.ts';
import { indexCatalog, lookup, OPENVPN_CATALOG } from './catalog.ts';
import { fixedClock, frameLine, hasOpenvpnHeader } from './framing.ts';
import { createOpenvpnParser } from './parser.ts';

export { OPENVPN_CATALOG } from './catalog.ts';
export { createOpenvpnParser, type OpenvpnParserOptions } from './parser.ts';

const index = indexCatalog(OPENVPN_CATALOG);
const SNIFF_CLOCK = fixedClock('UTC', 0);

/**
 * True when the line has an OpenVPN framing (gateway, ISO, ctime, syslog or
 * journald with an `openvpn`/`ovpn` program), or no timestamp but a message
 * the catalog knows (`--suppress-timestamps`). JSON records (aws-s2s) and
 * SoftEther's `YYYY-MM-DD hh:mm:ss.mmm` lines are not OpenVPN.
 */
export function sniffOpenvpn(line: string): boolean {
  if (line.charCodeAt(0) === 123 /* { */) return false;
  if (hasOpenvpnHeader(line)) return true;
  const framed = frameLine(line, SNIFF_CLOCK);
  if ('malformed' in framed || framed.framing !== 'none') return false;
  const message = framed.message.replace(/^\[[^\]]*\] /, '');
  return lookup(index, message) !== undefined;
}

/** The OpenVPN entry of the source registry. */
export const openvpnSource: SourceDefinition = {
  source: 'openvpn',
  sniff: sniffOpenvpn,
  createParser: (options) => createOpenvpnParser(options),
};
