/**
 * The AWS Site-to-Site VPN source: tunnel-activity and tunnel BGP logs that
 * AWS delivers to CloudWatch Logs (JSON output format; the text format is
 * read on a best-effort basis). See docs/aws-s2s.md.
 */
import type { SourceDefinition } from '../../model.ts';
import { matchCatalog } from './catalog-index.ts';
import { createAwsS2sParser, TUNNEL_RECORD_KEYS } from './parser.ts';

/** Keys only AWS tunnel or BGP log records have (`timestamp` alone is too common). */
const DISTINCTIVE_KEYS: readonly string[] = [
  ...TUNNEL_RECORD_KEYS.filter((key) => key !== 'timestamp'),
  'resource_id',
];
const BGP_TYPES: ReadonlySet<string> = new Set(['BGPStatus', 'RouteStatus']);
/** Text-format lines are recognised only with an AWS-worded message. */
const AWS_WORDING = /\bAWS(?:-side peer | tunnel |: )/;

/** True when `line` is a JSON tunnel-activity/BGP record, or a text line with a catalog message. */
function sniff(line: string): boolean {
  const text = line.trim();
  if (text.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    if (DISTINCTIVE_KEYS.some((key) => record[key] !== undefined)) return true;
    return typeof record.type === 'string' && BGP_TYPES.has(record.type);
  }
  return AWS_WORDING.test(text) && matchCatalog(text) !== undefined;
}

/** The `aws-s2s` source: sniffing and per-stream parsers. */
export const awsS2sSource: SourceDefinition = {
  source: 'aws-s2s',
  sniff,
  createParser: createAwsS2sParser,
};
