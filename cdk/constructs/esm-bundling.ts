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
