/**
 * The package as another project gets it: `npm pack`, the tarball installed
 * into a fresh CDK app written in TypeScript and compiled with tsc (no tsx),
 * the app synthesized, and `npx tunnelwatch replay` run from that install.
 * aws-cdk-lib, constructs and TypeScript come from this repository's
 * node_modules (linked, so the test downloads none of them); the package's
 * own dependencies install from npm's cache or the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPO_MODULES = join(ROOT, 'node_modules');
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };

const APP_TS = `import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Tunnelwatch } from 'tunnelwatch/cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'ConsumerStack', { env: { account: '111122223333', region: 'ap-northeast-1' } });
const tw = new Tunnelwatch(stack, 'Tunnelwatch', {
  vpnLogGroups: [{ name: '/aws/vendedlogs/vpn/tunnels' }],
  vpnConnections: [
    {
      id: 'vpn-0a1b2c3d4e5f60718',
      tunnelOutsideIps: ['203.0.113.10', '203.0.113.20'],
      logGroup: '/aws/vendedlogs/vpn/tunnels',
      enableLogging: true,
    },
  ],
  openvpnGateways: [{ name: 'gw', timeZone: 'Asia/Tokyo' }],
  alerts: { emails: ['netops-oncall@example.com'] },
  logRetention: RetentionDays.SIX_MONTHS,
});
tw.function.addEnvironment('CONSUMER', 'yes');
app.synth();
`;

const CORE_TS = `import { readFileSync } from 'node:fs';
import { DEFAULT_RULES_CONFIG, MemoryStateStore, runPipeline } from 'tunnelwatch';

const text = readFileSync(process.argv[2] as string, 'utf8');
const result = await runPipeline(
  [{ source: 'auto', stream: 'gw', timeZone: 'Asia/Tokyo', lines: text.split('\\n').map((line) => ({ text: line })) }],
  { store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG },
);
console.log(JSON.stringify({ events: result.events, alerts: result.alerts.map((a) => a.rule) }));
`;

interface Packed {
  filename: string;
  size: number;
  entryCount: number;
  files: { path: string }[];
}

let work: string;
let app: string;
let packed: Packed;

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: NPM_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tw-pack-'));
  // Build (incremental) so that the tarball holds this checkout's code, then pack without scripts.
  run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], ROOT);
  const json = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  packed = (JSON.parse(json) as Packed[])[0] as Packed;

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer-app',
      private: true,
      type: 'module',
      dependencies: { tunnelwatch: `file:${join(work, packed.filename)}` },
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'dist',
        types: ['node'],
        skipLibCheck: true,
      },
      include: ['app.ts', 'core.ts'],
    }),
  );
  writeFileSync(join(app, 'app.ts'), APP_TS);
  writeFileSync(join(app, 'core.ts'), CORE_TS);
  run('npm', ['install', '--prefer-offline', '--no-package-lock'], app);
  // The peers (optional: the CLI needs neither) and Node's types, linked after npm is done
  // (npm's own handling of linked peers fails).
  for (const name of ['aws-cdk-lib', 'constructs', '@types/node']) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(join(REPO_MODULES, name), join(app, 'node_modules', name), 'dir');
  }
  run(process.execPath, [join(REPO_MODULES, 'typescript', 'bin', 'tsc'), '-p', app], app);
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled code, types, prebuilt handlers and licence, and no sources or tests', () => {
    // Assess
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/tunnelwatch.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/index.js.map',
        'dist/cdk/index.js',
        'dist/cdk/index.d.ts',
        'dist/lambda/subscription/index.mjs',
        'dist/lambda/tunnel-logging/index.mjs',
      ]),
    );
    expect(paths.filter((p) => /^(src|cdk|lambda|test|bench|scripts)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    const licence = readFileSync(join(app, 'node_modules', 'tunnelwatch', 'LICENSE'), 'utf8');
    expect(licence).toMatch(/Apache License\s+Version 2\.0/);
    expect(licence).toMatch(/END OF TERMS AND CONDITIONS/);
  });

  it('installs without esbuild, tsx or TypeScript, and synthesizes a consumer app with the prebuilt handler', () => {
    // Act
    const synth = spawnSync(process.execPath, ['dist/app.js'], { cwd: app, encoding: 'utf8' });

    // Assess
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const installed = readdirSync(join(app, 'node_modules'));
    expect(installed).toContain('tunnelwatch');
    expect(installed.filter((name) => ['esbuild', 'tsx', 'typescript'].includes(name))).toEqual([]);
    const template = JSON.parse(
      readFileSync(join(app, 'cdk.out', 'ConsumerStack.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    const alert = functions.find(
      (f) =>
        (f.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
          ?.CONSUMER === 'yes',
    );
    expect(alert?.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
    // The asset staged for the alert function is the bundle shipped in the tarball.
    const key = (alert?.Properties.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
    const staged = readFileSync(
      join(app, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'),
    );
    expect(
      staged.equals(
        readFileSync(
          join(app, 'node_modules', 'tunnelwatch', 'dist', 'lambda', 'subscription', 'index.mjs'),
        ),
      ),
    ).toBe(true);
    expect(
      template.Resources[
        Object.keys(template.Resources).find((id) => id.startsWith('TunnelwatchVpnLogGroup0')) ?? ''
      ]?.Properties,
    ).toMatchObject({ RetentionInDays: 180 });
  });

  it('runs the core library from the install', () => {
    // Act
    const output = run(
      process.execPath,
      ['dist/core.js', 'node_modules/tunnelwatch/samples/openvpn/vpngw-2025-04-14.log'],
      app,
    );

    // Assess
    const result = JSON.parse(output) as { events: number; alerts: string[] };
    expect(result.events).toBeGreaterThan(200);
    expect(result.alerts).toContain('auth.bruteforce');
  });

  it('runs `npx tunnelwatch replay` on a shipped sample', () => {
    // Act
    const replay = spawnSync(
      'npx',
      [
        '--no-install',
        'tunnelwatch',
        'replay',
        '--json',
        '--tz',
        'Asia/Tokyo',
        'node_modules/tunnelwatch/samples/openvpn',
      ],
      { cwd: app, encoding: 'utf8', env: NPM_ENV },
    );

    // Assess
    expect(replay.stderr).toBe('');
    expect(replay.status).toBe(0);
    const rules = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { rule?: string })
      .map((alert) => alert.rule);
    expect(rules).toContain('auth.bruteforce');
  });
});
