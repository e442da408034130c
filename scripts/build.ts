/**
 * `npm run build`: compiles src/ and cdk/ to dist/ (ESM JavaScript, `.d.ts`,
 * source maps; tsconfig.build.json) and bundles the Lambda handlers into
 * dist/lambda/NAME/index.mjs, which the constructs ship as assets.
 * `--clean` (prepack) starts from an empty dist/. Otherwise tsc is
 * incremental; its state is dropped whenever dist/ is gone, so that a
 * removed dist/ is always rebuilt.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESM_BUNDLING } from '../cdk/constructs/esm-bundling.ts';
import {
  BUNDLE_FILE,
  type HandlerName,
  handlerSourceFile,
} from '../cdk/constructs/handler-code.ts';
import { esbuildOptionsOf } from './esbuild-options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const BUILD_INFO = join(ROOT, 'node_modules', '.cache', 'tunnelwatch', 'build.tsbuildinfo');
const HANDLERS: readonly HandlerName[] = ['subscription', 'tunnel-logging'];

if (process.argv.includes('--clean') || !existsSync(join(DIST, 'src', 'cli', 'main.js'))) {
  rmSync(DIST, { recursive: true, force: true });
  rmSync(BUILD_INFO, { force: true });
}
mkdirSync(dirname(BUILD_INFO), { recursive: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--incremental',
      '--tsBuildInfoFile',
      BUILD_INFO,
    ],
    { stdio: 'inherit' },
  );
} catch {
  // tsc printed the errors
  process.exit(1);
}
for (const name of HANDLERS) {
  await build(
    esbuildOptionsOf(
      ESM_BUNDLING,
      handlerSourceFile(name),
      join(DIST, 'lambda', name, BUNDLE_FILE),
    ),
  );
}
