/**
 * esbuild `build()` options from a `NodejsFunction` bundling (`ESM_BUNDLING`):
 * the prebuilt bundles of `npm run build`, the bundle-size benchmark and the
 * bundling test build with them, so that what ships and what is measured is
 * what `NodejsFunction` would deploy. Build tooling: not part of the package.
 */
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

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
