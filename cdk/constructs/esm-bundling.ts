/**
 * How every tunnelwatch function is bundled, in one place: `ESM_BUNDLING` is
 * what `NodejsFunction` gets; scripts/esbuild-options.ts turns it into the
 * options of esbuild's `build()` for the prebuilt bundles the package ships,
 * the bundle-size benchmark and the bundling test, so that what is measured
 * is what is deployed.
 */

import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Banner that gives an ESM bundle a `require` (bundled AWS SDK v3 needs it). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/**
 * How every tunnelwatch function is bundled by esbuild: minified ESM for
 * `node24` with source maps and `ESM_REQUIRE_BANNER`; `@aws-sdk/*` is left to
 * the runtime's copy. Output is UTF-8 (`--charset=utf8`): the catalogs'
 * Japanese message forms take 3 bytes a character instead of a 6-byte
 * `\uXXXX` escape. It goes through `esbuildArgs` because aws-cdk-lib 2.276
 * does not pass the `charset` bundling option on to esbuild.
 */
export const ESM_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  externalModules: ['@aws-sdk/*'],
  target: 'node24',
  esbuildArgs: { '--charset': 'utf8' },
};

/** The log sources a bundle can carry (src/sources/index.ts). */
export const BUNDLE_SOURCES = ['aws-s2s', 'openvpn', 'softether'] as const;
/** A log source a bundle can carry. */
export type BundleSource = (typeof BUNDLE_SOURCES)[number];

/**
 * `ESM_BUNDLING` for a function that serves only `sources`: the registry's
 * other sources (their catalogs and parsers) are left out of the bundle
 * through `define` (see `SOURCE_DEFINITIONS` in src/sources/index.ts).
 * Every source, or none named, gives `ESM_BUNDLING` itself.
 */
export function bundlingFor(sources: readonly BundleSource[] = BUNDLE_SOURCES): BundlingOptions {
  const omitted = BUNDLE_SOURCES.filter((source) => !sources.includes(source));
  if (sources.length === 0 || omitted.length === 0) return ESM_BUNDLING;
  return {
    ...ESM_BUNDLING,
    define: Object.fromEntries(
      omitted.map((source) => [
        `process.env.TUNNELWATCH_OMIT_SOURCE_${source.toUpperCase().replace('-', '_')}`,
        JSON.stringify('true'),
      ]),
    ),
  };
}
