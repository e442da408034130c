/**
 * The registry of log sources: which formats tunnelwatch can parse, and
 * sniffing for `--source auto`. Each source folder exports one
 * `SourceDefinition`; adding a source is adding it to `SOURCE_DEFINITIONS`.
 */
import { SOURCES, type Source, type SourceDefinition } from '../model.ts';
import { awsS2sSource } from './aws-s2s/index.ts';
import { openvpnSource } from './openvpn/index.ts';
import { softetherSource } from './softether/index.ts';

/**
 * Every source tunnelwatch can parse today, in sniffing order; in a Lambda
 * bundle, only the sources its log groups use. The alert function's bundler
 * replaces `process.env.TUNNELWATCH_OMIT_SOURCE_<SOURCE>` with `"true"` for
 * the sources it leaves out (`bundlingFor` in cdk/constructs/esm-bundling.ts):
 * the condition folds to a constant, and the source's modules (catalogs,
 * parsers) are dropped from the bundle. Unbundled, nothing is left out.
 */
export const SOURCE_DEFINITIONS: readonly SourceDefinition[] = [
  ...(process.env.TUNNELWATCH_OMIT_SOURCE_AWS_S2S === 'true' ? [] : [awsS2sSource]),
  ...(process.env.TUNNELWATCH_OMIT_SOURCE_SOFTETHER === 'true' ? [] : [softetherSource]),
  ...(process.env.TUNNELWATCH_OMIT_SOURCE_OPENVPN === 'true' ? [] : [openvpnSource]),
];

/** The definition of `source`, or undefined when that source is not supported yet. */
export function sourceDefinition(source: Source): SourceDefinition | undefined {
  return SOURCE_DEFINITIONS.find((definition) => definition.source === source);
}

/** Sources named in the taxonomy that have no parser yet. */
export function unsupportedSources(): Source[] {
  return SOURCES.filter((source) => sourceDefinition(source) === undefined);
}

/**
 * The source whose format the sample lines show: the one that recognises the
 * most of the (non-blank) lines, or undefined when none recognises any.
 */
export function sniffSource(
  sampleLines: readonly string[],
  definitions: readonly SourceDefinition[] = SOURCE_DEFINITIONS,
): SourceDefinition | undefined {
  let best: SourceDefinition | undefined;
  let bestCount = 0;
  for (const definition of definitions) {
    let count = 0;
    for (const line of sampleLines) {
      if (line.trim() !== '' && definition.sniff(line)) count++;
    }
    if (count > bestCount) {
      best = definition;
      bestCount = count;
    }
  }
  return best;
}
