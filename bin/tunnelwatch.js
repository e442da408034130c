#!/usr/bin/env node
// Entry point of the `tunnelwatch` command: runs the compiled CLI (dist/,
// built by `npm run build` and shipped in the package). In a checkout that
// has not been built, it runs the TypeScript sources through tsx (a
// devDependency) instead.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node ≥ 22.1 keeps compiled code in a cache on disk: later starts are faster.
module.enableCompileCache?.();

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
