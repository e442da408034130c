import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlingFor, ESM_REQUIRE_BANNER } from '../../cdk/constructs/esm-bundling.ts';
import {
  DEFAULT_HANDLER_ENTRY,
  TunnelAlertFunction,
} from '../../cdk/constructs/tunnel-alert-function.ts';
import { esbuildOptionsOf } from '../../scripts/esbuild-options.ts';
import { CDK_JSON_CONTEXT } from './helpers.ts';

/** Inside the repository so that the bundle's external `@aws-sdk/*` imports resolve from node_modules. */
const OUTDIR = fileURLToPath(new URL('../../.tunnelwatch/bundling-test', import.meta.url));

describe('TunnelAlertFunction bundling (the one real esbuild run)', () => {
  afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

  it('bundles lambda/subscription.ts into a minified ESM file with source map and the require banner that loads', async () => {
    // Prepare
    rmSync(OUTDIR, { recursive: true, force: true });
    mkdirSync(OUTDIR, { recursive: true });
    const app = new App({ context: CDK_JSON_CONTEXT, outdir: OUTDIR });
    const stack = new Stack(app, 'Bundle');
    new TunnelAlertFunction(stack, 'Fn', {
      stateTable: new Table(stack, 'Table', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
      }),
      alertTopic: new Topic(stack, 'Topic'),
      logGroupSources: [{ prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' }],
    });

    // Act
    const assembly = app.synth();

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
    });
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const bundle = join(assembly.directory, assets[0] ?? '', 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(code).not.toMatch(/node_modules\/@aws-sdk\/client-/);
    expect(code.split('\n').length).toBeLessThan(20);
    process.env.STATE_TABLE_NAME = 'state';
    process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:ap-northeast-1:111122223333:alerts';
    process.env.DEAD_LETTER_QUEUE_URL = 'https://sqs.ap-northeast-1.amazonaws.com/111122223333/dlq';
    process.env.AWS_REGION ??= 'ap-northeast-1';
    const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
    // Only aws-s2s is served: the other sources' catalogs are not in the bundle.
    expect(code).toContain('pre-shared key mismatch');
    expect(code).not.toContain('AUTH_FAILED'); // OpenVPN catalog
    expect(code).not.toContain('SecureNAT'); // SoftEther catalog
    // The benchmark builds with esbuildOptionsOf(bundlingFor(…)): it must measure these very bytes.
    const benchFile = join(OUTDIR, 'bench', 'index.mjs');
    await build(esbuildOptionsOf(bundlingFor(['aws-s2s']), DEFAULT_HANDLER_ENTRY, benchFile));
    const digest = (text: string) => ({
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(digest(readFileSync(benchFile, 'utf8'))).toEqual(digest(code));
  }, 120_000);
});
