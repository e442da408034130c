/**
 * Counts aws-s2s events that name no tunnel: their log stream name (the
 * file's base name, or `--stream`) did not carry the VPN connection id and
 * tunnel outside IP, so the tunnel rules could not use them. The CLI reports
 * the count with the hint to pass `--stream`.
 */
import type { VpnEvent } from '../model.ts';
import { tunnelOf } from '../rules/tunnel-identity.ts';

/** Sees every parsed event (the pipeline's `onEvent`) and counts those without a tunnel. */
export class TunnelIdentityCount {
  /** aws-s2s events, other than malformed lines, that named no tunnel. */
  missing = 0;

  see(event: VpnEvent): void {
    if (event.source !== 'aws-s2s' || event.category === 'malformed') return;
    if (tunnelOf(event) === undefined) this.missing++;
  }
}
