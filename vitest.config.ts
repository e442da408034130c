import { defineConfig } from 'vitest/config';

/** `.ci/run` sets this to get a machine-readable report with the pass/fail counts. */
const jsonReport = process.env.TUNNELWATCH_VITEST_JSON;

export default defineConfig({
  test: {
    // threads break NodejsFunction bundling (docs/toolchain.md)
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CDK_VALIDATION: 'false',
    },
    ...(jsonReport === undefined
      ? {}
      : { reporters: ['default', 'json'], outputFile: { json: jsonReport } }),
  },
});
