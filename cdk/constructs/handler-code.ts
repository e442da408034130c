/**
 * Where a tunnelwatch function's code comes from. The package ships each
 * handler prebuilt (`npm run build` bundles lambda/NAME.ts into
 * dist/lambda/NAME/index.mjs with `ESM_BUNDLING`), so an app that installs
 * tunnelwatch needs neither esbuild nor this repository's lock file. In this
 * repository, where no prebuilt bundle sits next to the constructs, or when
 * an entry file is given, `NodejsFunction` bundles the TypeScript itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Code,
  type FunctionOptions,
  Function as LambdaFunction,
  type Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { BUNDLE_SOURCES, type BundleSource, bundlingFor } from './esm-bundling.ts';

/** The tunnelwatch handlers shipped prebuilt: lambda/NAME.ts. */
export type HandlerName = 'subscription' | 'kinesis' | 'tunnel-logging';

/**
 * Source sets shipped prebuilt for the alert handlers besides every source:
 * one source each. Functions serving two sources get the every-source bundle.
 */
export const PREBUILT_SOURCE_SETS: readonly (readonly BundleSource[])[] = BUNDLE_SOURCES.map(
  (source) => [source],
);

/** Directory name of the bundle of `name` for `sources` (every source: just the name). */
export function bundleDirectoryName(name: HandlerName, sources?: readonly BundleSource[]): string {
  const set = BUNDLE_SOURCES.filter((source) => sources?.includes(source) ?? true);
  return set.length === 0 || set.length === BUNDLE_SOURCES.length
    ? name
    : `${name}.${set.join('+')}`;
}

/** File name of a prebuilt bundle (what `NodejsFunction` names an ESM bundle). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * Directory of the prebuilt bundle of `name`, or undefined when there is
 * none. From the compiled constructs (dist/cdk/constructs/) that is
 * dist/lambda/NAME/; from the sources (cdk/constructs/) lambda/NAME/, which
 * does not exist.
 */
export function prebuiltHandlerDirectory(
  name: HandlerName,
  sources?: readonly BundleSource[],
): string | undefined {
  for (const candidate of [bundleDirectoryName(name, sources), name]) {
    const directory = fileURLToPath(new URL(`../../lambda/${candidate}/`, import.meta.url));
    if (existsSync(join(directory, BUNDLE_FILE))) return directory;
  }
  return undefined;
}

/** The TypeScript source of a handler in this repository. */
export function handlerSourceFile(name: HandlerName): string {
  return fileURLToPath(new URL(`../../lambda/${name}.ts`, import.meta.url));
}

/** Props of `handlerFunction`. */
export interface HandlerFunctionProps extends FunctionOptions {
  readonly name: HandlerName;
  /** Exported function name, e.g. `handler`. */
  readonly handler: string;
  readonly runtime: Runtime;
  /** A handler file to bundle instead. @default - the prebuilt bundle, else lambda/NAME.ts */
  readonly entry?: string;
  /**
   * The log sources the function serves: only their catalogs are bundled
   * (a prebuilt one-source bundle when there is one).
   * @default - every source
   */
  readonly sources?: readonly BundleSource[];
}

/**
 * A function running handler `handler` of `name`: the prebuilt bundle as an
 * asset when there is one and no `entry` is given, else a `NodejsFunction`
 * bundling `entry` (default lambda/NAME.ts) with `ESM_BUNDLING`.
 */
export function handlerFunction(
  scope: Construct,
  id: string,
  { name, handler, entry, sources, ...options }: HandlerFunctionProps,
): LambdaFunction {
  const prebuilt = entry === undefined ? prebuiltHandlerDirectory(name, sources) : undefined;
  if (prebuilt !== undefined) {
    return new LambdaFunction(scope, id, {
      ...options,
      code: Code.fromAsset(prebuilt),
      handler: `index.${handler}`,
    });
  }
  return new NodejsFunction(scope, id, {
    ...options,
    entry: entry ?? handlerSourceFile(name),
    handler,
    bundling: bundlingFor(sources),
  });
}
