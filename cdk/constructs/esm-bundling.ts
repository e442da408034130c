/**
 * How every tunnelwatch function is bundled, in one place: `ESM_BUNDLING` is
 * what `NodejsFunction` gets, and `esbuildOptionsOf` turns it into the
 * options of esbuild's `build()` for the bundle-size benchmark and the
 * bundling test, so that what is measured is what is deployed.
 */

import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

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

/**
 * `ESM_BUNDLING` for a function that serves only `sources`: the registry's
 * other sources (their catalogs and parsers) are left out of the bundle
 * through `define` (see `SOURCE_DEFINITIONS` in src/sources/index.ts).
 * Every source, or none named, gives `ESM_BUNDLING` itself.
 */
export function bundlingFor(
  sources: readonly (typeof BUNDLE_SOURCES)[number][] = BUNDLE_SOURCES,
): BundlingOptions {
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

/** The `BundlingOptions` keys `esbuildOptionsOf` knows how to translate. */
const TRANSLATED: ReadonlySet<string> = new Set([
  'minify',
  'sourceMap',
  'format',
  'mainFields',
  'banner',
  'externalModules',
  'target',
  'esbuildArgs',
  'define',
]);

/**
 * The esbuild `build()` options `NodejsFunction` uses for `bundling` (the
 * arguments it passes on its command line), for `entry` into `outfile`.
 * Throws on a bundling option it does not translate, so that the benchmark
 * cannot silently measure something other than the deployed bundle.
 */
export function esbuildOptionsOf(
  bundling: BundlingOptions,
  entry: string,
  outfile: string,
): BuildOptions {
  const unknown = Object.keys(bundling).filter((key) => !TRANSLATED.has(key));
  if (unknown.length > 0) {
    throw new Error(`esbuildOptionsOf: bundling option(s) not translated: ${unknown.join(', ')}`);
  }
  const extra = Object.entries(bundling.esbuildArgs ?? {});
  const charset = extra.find(([key]) => key === '--charset')?.[1];
  const others = extra.filter(([key]) => key !== '--charset').map(([key]) => key);
  if (others.length > 0) {
    throw new Error(`esbuildOptionsOf: esbuildArgs not translated: ${others.join(', ')}`);
  }
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    ...(bundling.target === undefined ? {} : { target: bundling.target }),
    ...(bundling.format === undefined ? {} : { format: bundling.format }),
    ...(bundling.minify === undefined ? {} : { minify: bundling.minify }),
    ...(bundling.sourceMap === true ? { sourcemap: true } : {}),
    ...(bundling.externalModules === undefined ? {} : { external: [...bundling.externalModules] }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(charset === 'utf8' || charset === 'ascii' ? { charset } : {}),
    ...(bundling.define === undefined ? {} : { define: { ...bundling.define } }),
    logLevel: 'silent',
  };
}
