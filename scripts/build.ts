/**
 * `npm run build`: compiles src/ and cdk/ to dist/ (ESM JavaScript, `.d.ts`,
 * source maps; tsconfig.build.json) and bundles the Lambda handlers into
 * dist/lambda/NAME/index.mjs, which the constructs ship as assets.
 * `--clean` (prepack) starts from an empty dist/. Otherwise nothing is done
 * when no input (file or folder) changed since the last build, and tsc is
 * incremental; its state is dropped whenever dist/ is gone, so that a removed
 * dist/ is always rebuilt.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundlingFor } from '../cdk/constructs/esm-bundling.ts';
import {
  BUNDLE_FILE,
  bundleDirectoryName,
  type HandlerName,
  handlerSourceFile,
  PREBUILT_SOURCE_SETS,
} from '../cdk/constructs/handler-code.ts';
import { esbuildOptionsOf } from './esbuild-options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/**
 * tsc's incremental state and the stamp, per checkout: git worktrees may share
 * one node_modules, and another checkout's state would call this dist/ up to
 * date (seen: a worktree's build left main's dist/ without a new module).
 */
const BUILD_INFO = join(
  ROOT,
  'node_modules',
  '.cache',
  'tunnelwatch',
  createHash('sha256').update(ROOT).digest('hex').slice(0, 16),
  'build.tsbuildinfo',
);
const STAMP = join(dirname(BUILD_INFO), 'build.stamp');
const HANDLERS: readonly HandlerName[] = ['subscription', 'kinesis', 'tunnel-logging'];
/** The alert handlers, also prebuilt for each one-source set. */
const ALERT_HANDLERS: ReadonlySet<HandlerName> = new Set(['subscription', 'kinesis']);
/** What dist/ is made from: folders are walked (their own times show removed files). */
const INPUTS = [
  'src',
  'cdk',
  'lambda',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'scripts/build.ts',
  'scripts/esbuild-options.ts',
];

/** The latest modification time of `path` and, for a folder, of everything in it. */
function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

const clean = process.argv.includes('--clean');
const built = existsSync(join(DIST, 'src', 'cli', 'main.js'));
if (clean || !built) {
  rmSync(DIST, { recursive: true, force: true });
  rmSync(BUILD_INFO, { force: true });
  rmSync(STAMP, { force: true });
} else if (
  existsSync(STAMP) &&
  statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map((input) => newestChange(join(ROOT, input))))
) {
  console.log('dist/ is up to date');
  process.exit(0);
}
// Inputs changed while building are newer than the stamp: the next build sees them.
const started = new Date();
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
// Files tsc does not emit: the report page's script and style (src/report/assets.ts reads them).
cpSync(join(ROOT, 'src', 'report', 'client'), join(DIST, 'src', 'report', 'client'), {
  recursive: true,
});
for (const name of HANDLERS) {
  const sets = ALERT_HANDLERS.has(name) ? [undefined, ...PREBUILT_SOURCE_SETS] : [undefined];
  for (const sources of sets) {
    await build(
      esbuildOptionsOf(
        bundlingFor(sources),
        handlerSourceFile(name),
        join(DIST, 'lambda', bundleDirectoryName(name, sources), BUNDLE_FILE),
      ),
    );
  }
}
writeFileSync(STAMP, `${started.toISOString()}\n`);
utimesSync(STAMP, started, started);
