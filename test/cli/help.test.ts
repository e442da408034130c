import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../src/cli/help.ts';
import { runCli } from '../helpers/cli.ts';

const root = new URL('../../', import.meta.url);
const commandsDir = new URL('src/cli/commands/', root);

/** The package's version, as package.json states it. */
const VERSION = (
  JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }
).version;

/** The option names declared in a parseArgs table, as `--name`. */
function declaredFlags(source: string): string[] {
  return [...source.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/gm)].map(
    (match) => `--${match[1]}`,
  );
}

const SHARED = {
  input: declaredFlags(readFileSync(new URL('src/cli/options.ts', root), 'utf8')),
  aws: declaredFlags(readFileSync(new URL('aws-options.ts', commandsDir), 'utf8')),
};

/**
 * Every flag a command accepts, read from its module (and the replay*
 * modules for replay): its own table, the AWS flags when it spreads them,
 * the input flags when it reads log files.
 */
function acceptedFlags(command: string): string[] {
  const files = readdirSync(commandsDir).filter(
    (file) => file === `${command}.ts` || (command === 'replay' && file.startsWith('replay')),
  );
  const flags = new Set<string>();
  for (const file of files) {
    const source = readFileSync(new URL(file, commandsDir), 'utf8');
    for (const flag of declaredFlags(source)) flags.add(flag);
    if (source.includes('...AWS_OPTION_SPEC')) for (const flag of SHARED.aws) flags.add(flag);
    if (source.includes('inputOptions(')) for (const flag of SHARED.input) flags.add(flag);
  }
  return [...flags];
}

/** The long flags a command's help describes. */
function describedFlags(command: string): string[] {
  return (COMMAND_HELP[command]?.flags ?? []).flatMap((flag) =>
    flag.flag.split(', ').filter((part) => part.startsWith('--')),
  );
}

describe('tunnelwatch --version', () => {
  it("prints package.json's version", async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toEqual([VERSION]);
  });
});

describe('tunnelwatch help', () => {
  it('lists every command with one line', async () => {
    const { code, stdout } = await runCli(['help']);
    expect(code).toBe(0);
    for (const command of Object.keys(COMMAND_HELP)) {
      expect(stdout.some((line) => line.startsWith(`  ${command} `))).toBe(true);
    }
    expect(stdout[0]).toContain(VERSION);
  });

  it.each(Object.keys(COMMAND_HELP))(
    'help %s and its --help print the same: usage, every flag, an example',
    async (command) => {
      // Act
      const help = await runCli(['help', command]);
      const flag = await runCli(
        command === 'logs' ? ['logs', 'get', '--help'] : [command, '--help'],
      );

      // Assess
      expect(help.code).toBe(0);
      expect(flag.code).toBe(0);
      expect(flag.stdout).toEqual(help.stdout);
      expect(help.stdout[0]).toMatch(new RegExp(`^usage: tunnelwatch ${command}`));
      const text = help.stdout.join('\n');
      for (const { flag } of COMMAND_HELP[command]?.flags ?? [])
        expect(text).toContain(`\n  ${flag}`);
      expect(text).toMatch(new RegExp(`examples:\\n  # .+\\n  tunnelwatch ${command} `));
    },
  );

  it.each(
    readdirSync(commandsDir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.replace(/\.ts$/, ''))
      .filter((name) => COMMAND_HELP[name] !== undefined),
  )('describes every flag %s accepts', (command) => {
    const accepted = acceptedFlags(command).filter((flag) => flag !== '--help');
    expect(accepted.length).toBeGreaterThan(0);
    expect(describedFlags(command)).toEqual(expect.arrayContaining(accepted));
  });

  it('refuses an unknown topic with exit 2', async () => {
    const { code, stderr } = await runCli(['help', 'nope']);
    expect(code).toBe(2);
    expect(stderr[0]).toBe('tunnelwatch help: unknown command "nope"');
  });
});

describe('AWS commands without a region', () => {
  it('stop with one line saying how to give one, exit 2', async () => {
    // Prepare: no region anywhere the SDK looks
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'])
      delete process.env[name];
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    try {
      // Act
      const { code, stderr } = await runCli([
        'tail',
        '--log-group',
        'g',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ]);

      // Assess
      expect(code).toBe(2);
      expect(stderr).toEqual([
        'tunnelwatch tail: no AWS region: pass --region REGION (e.g. --region ap-northeast-1) or set AWS_REGION',
      ]);
    } finally {
      process.env = saved;
    }
  });
});

describe('the installed command', () => {
  it("does not print the AWS SDK's Node-version notice", () => {
    // Prepare: the notice is not switched off by the caller
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'us-east-1' };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

    // Act: an AWS command against a closed local port
    const run = spawnSync(
      process.execPath,
      [
        new URL('bin/tunnelwatch.js', root).pathname,
        'logs',
        'list',
        '--log-group',
        'g',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ],
      {
        env: { ...env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tunnelwatch logs list: log group g: .*ECONNREFUSED/);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
