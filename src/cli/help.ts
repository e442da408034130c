/**
 * What `tunnelwatch help [CMD]` and `tunnelwatch CMD --help` print: every
 * command's synopsis, every flag with what it takes and its default, and
 * examples. One table for all commands, so that docs/cli.md and the help
 * say the same (test/cli/help.test.ts checks that every flag a command
 * accepts is described here).
 */

/** One flag of a command. */
export interface FlagHelp {
  /** `--tz` (with `-f`-style short forms as `-f, --follow`). */
  readonly flag: string;
  /** The value it takes (`ZONE`), absent for a switch. */
  readonly value?: string;
  /** What it does, one or two sentences; defaults in the text. */
  readonly text: string;
}

/** The help of one command. */
export interface CommandHelp {
  /** One line for the command list. */
  readonly summary: string;
  /** Usage lines without the leading `tunnelwatch `. */
  readonly usage: readonly string[];
  /** What the command does, a few sentences. */
  readonly description: string;
  readonly flags: readonly FlagHelp[];
  /** Command lines (without `tunnelwatch `) with what they do. */
  readonly examples: readonly (readonly [command: string, what: string])[];
}

const SOURCE: FlagHelp = {
  flag: '--source',
  value: 'auto|aws-s2s|openvpn|softether',
  text: 'The log format. auto (default) recognises it from the first lines of each file.',
};
const STREAM: FlagHelp = {
  flag: '--stream',
  value: 'NAME',
  text: "Log stream name to use instead of each file's base name. For aws-s2s it carries the VPN connection id and the tunnel outside IP (vpn-0abc…-203.0.113.10): pass it when the file name is not the stream name, or tunnels cannot be told apart.",
};
const TZ: FlagHelp = {
  flag: '--tz',
  value: 'ZONE',
  text: 'IANA zone in which local-time formats (OpenVPN, SoftEther, syslog) are read, e.g. Asia/Tokyo. Default UTC, with a warning per file whose times carry no zone.',
};
const CONFIG: FlagHelp = {
  flag: '--config',
  value: 'FILE',
  text: "The deploy configuration (tunnelwatch.config.json: its rules, and each log group's source and time zone) or a rules-only document (thresholds, windows, cooldowns, severities). Default: the built-in rules.",
};
const JSON_ALERTS: FlagHelp = {
  flag: '--json',
  text: 'One JSON object per alert (rule, status, category, severity, source, key, subject, time, evidence, id, remediation, docUrl).',
};
const EXPLAIN: FlagHelp = {
  flag: '--explain',
  text: 'Under each alert in the table, its remediation and documentation link.',
};
const FAIL_ON: FlagHelp = {
  flag: '--fail-on',
  value: 'info|warning|critical',
  text: 'Exit 3 when an alert of this severity or higher was opened (for scripts and CI).',
};
const LOG_GROUP: FlagHelp = {
  flag: '--log-group',
  value: 'GROUP',
  text: 'The CloudWatch Logs log group (required).',
};
const REGION: FlagHelp = {
  flag: '--region',
  value: 'REGION',
  text: 'AWS region, e.g. ap-northeast-1. Default: AWS_REGION, AWS_DEFAULT_REGION or the profile.',
};
const ENDPOINT: FlagHelp = {
  flag: '--endpoint-url',
  value: 'URL',
  text: 'CloudWatch Logs endpoint, e.g. the local emulator http://127.0.0.1:5000. Default: AWS_ENDPOINT_URL, else AWS.',
};
const HELP: FlagHelp = { flag: '-h, --help', text: 'This help.' };
const TIME =
  'T is a duration before now (90s, 15m, 1h, 2d, 1w), an ISO time with zone (2026-11-20T10:00:00Z) or epoch ms.';

/** `--archive` and its range, as `report` and `replay` read it. */
const ARCHIVE_RANGE: readonly FlagHelp[] = [
  {
    flag: '--archive',
    value: 's3://BUCKET/PREFIX',
    text: 'Read the --stream from the S3 archive of history older than CloudWatch Logs keeps (written by import --archive) instead of files.',
  },
  {
    flag: '--start',
    value: 'T',
    text: `With --archive: from T (default: the archive's first line). ${TIME}`,
  },
  {
    flag: '--end',
    value: 'T',
    text: `With --archive: up to T, exclusive (default: its last line). ${TIME}`,
  },
];

/** Every command's help, in the order `tunnelwatch help` lists them. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  classify: {
    summary: 'print one JSON object per log line: category, severity, time, fields',
    usage: ['classify [--source S] [--stream NAME] [--tz ZONE] FILE|DIR|-...'],
    description:
      'Reads each file line by line (- reads standard input; a directory is read recursively, a SoftEther log tree in chronological order) and prints one NDJSON object per non-blank line, in input order. Malformed and unknown lines are printed too (category malformed / unclassified).',
    flags: [SOURCE, STREAM, TZ, HELP],
    examples: [
      ['classify --tz Asia/Tokyo samples/openvpn/', 'classify the sample gateway log'],
      [
        'classify --source aws-s2s --stream vpn-0a1b2c3d4e5f67890-203.0.113.10 - < tunnel.log',
        'standard input, naming the tunnel',
      ],
    ],
  },
  replay: {
    summary: 'run the rules over log files and print the alerts on-call would have received',
    usage: [
      'replay [--source S] [--stream NAME] [--tz ZONE] [--config FILE] [--json] [--explain] [--fail-on SEVERITY] FILE|DIR|-...',
      'replay --deliveries N [--shuffle SEED] [--repeat K] [--check] [options] FILE|DIR...',
      'replay --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [--region R] [--endpoint-url URL] [options]',
    ],
    description:
      'Runs the full rule pipeline over the files (several are merged in timestamp order), or with --archive over a time range of a stream in the S3 archive, with in-memory state and prints the alerts: a table with a summary (alerts by rule, events by category, unclassified, malformed, duplicates, alerts held back), or with --json one object per alert followed by one {"summary": …} object. Exit 0 whatever the logs held, 1 when a file could not be read, 2 on bad usage, 3 with --fail-on.',
    flags: [
      SOURCE,
      STREAM,
      TZ,
      CONFIG,
      JSON_ALERTS,
      EXPLAIN,
      FAIL_ON,
      {
        flag: '--deliveries',
        value: 'N',
        text: 'Replay as the Lambda sees a live log group: each stream cut into deliveries of N lines, handed over one at a time, state kept only in the store. In order, the alerts equal plain replay by id.',
      },
      {
        flag: '--shuffle',
        value: 'SEED',
        text: 'With --deliveries: hand the deliveries over in a random order drawn from SEED (an integer), so runs repeat. The summary says what differs from an ordered replay and why.',
      },
      {
        flag: '--repeat',
        value: 'K',
        text: 'With --deliveries: hand each delivery over K times (redelivery); no alert may double. Default 1.',
      },
      {
        flag: '--check',
        text: 'With --deliveries: exit 1 when an alert was lost or doubled against the ordered replay.',
      },
      ...ARCHIVE_RANGE,
      REGION,
      ENDPOINT,
      HELP,
    ],
    examples: [
      ['replay --tz Asia/Tokyo samples/openvpn/', "the gateway sample's alerts"],
      [
        'replay --config tunnelwatch.config.json --explain samples/',
        'zones and rules from the deploy configuration, with remediation',
      ],
      [
        'replay --json --fail-on critical logs/ | tail -1',
        'the summary object; exit 3 on a critical alert',
      ],
      [
        'replay --deliveries 50 --shuffle 7 --repeat 2 samples/aws-s2s/',
        'out-of-order, repeated deliveries',
      ],
      [
        'replay --archive s3://tunnelwatch-archive/logs --stream vpnserver/server_log/vpn --start 2024-01-01 --end 2024-02-01',
        "the alerts of January 2024 in a SoftEther server's archived log",
      ],
    ],
  },
  report: {
    summary: 'write a self-contained HTML timeline of tunnels, logins and alerts',
    usage: [
      'report [--source S] [--stream NAME] [--tz ZONE] [--config FILE] [--title TEXT] [--out FILE] FILE|DIR...',
      'report --log-group GROUP [--since T] [--region R] [--endpoint-url URL] [options]',
      'report --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [--region R] [--endpoint-url URL] [options]',
    ],
    description:
      "Runs the rule pipeline as replay does and writes one HTML page that loads nothing from the network: each tunnel's state with the cause of every outage, BGP sessions, failed logins by address and user, sessions, administrative changes, a marker per alert (hover or Tab for its evidence and remediation), the summary; UTC or the logs' zone, zoom and pan. See docs/report.md. Exit codes as for replay.",
    flags: [
      SOURCE,
      STREAM,
      TZ,
      CONFIG,
      {
        flag: '--out',
        value: 'FILE',
        text: 'Where to write the page; - writes it to standard output. Default tunnelwatch-report.html.',
      },
      { flag: '--title', value: 'TEXT', text: "The page's title. Default: the inputs." },
      {
        ...LOG_GROUP,
        text: 'Read this CloudWatch Logs log group (FilterLogEvents) instead of files.',
      },
      {
        flag: '--since',
        value: 'T',
        text: `With --log-group: the events since T. Default 1d. ${TIME}`,
      },
      ...ARCHIVE_RANGE,
      REGION,
      ENDPOINT,
      HELP,
    ],
    examples: [
      ['report samples/ --tz Asia/Tokyo --out report.html', "the samples' timeline"],
      [
        'report --log-group /aws/vendedlogs/vpn --since 2d --out vpn.html',
        'the last two days of a log group',
      ],
      [
        'report --archive s3://tunnelwatch-archive/logs --stream vpnserver/server_log/vpn --start 2024-01-01 --end 2024-02-01',
        "January 2024 of a SoftEther server's log, from the archive",
      ],
    ],
  },
  import: {
    summary: 'send log files to a CloudWatch Logs group: nothing lost, nothing twice, resumable',
    usage: [
      'import --log-group GROUP [--stream NAME] [--source S] [--tz ZONE] [--verify] [--expect-overlap] [--json] [--state FILE] [--rejects FILE] [--settle SECONDS] [--archive s3://BUCKET/PREFIX] [--region R] [--endpoint-url URL] FILE|DIR...',
    ],
    description:
      'Sends the lines of each file, in order and batched to the service limits, to one log stream per file (or --stream). The state file keeps the time ranges already imported with a digest of each: every line is stored once whatever the order of files and runs, and a killed run is resumed by reading its last batch back. Does not create the log group. On a terminal, a progress bar on stderr; otherwise one summary line. Standard input is not accepted (the files are read twice). Exit 1 when a file could not be read, lines could go nowhere, the import was interrupted or --verify found a mismatch.',
    flags: [
      LOG_GROUP,
      {
        flag: '--stream',
        value: 'NAME',
        text: 'Send every file to this log stream. Default: one stream per file, named after it (a SoftEther log tree: its path from the log directory on).',
      },
      SOURCE,
      TZ,
      {
        flag: '--verify',
        text: 'After the import, read each stream back and report lines missing, duplicated, or not in the files.',
      },
      {
        flag: '--expect-overlap',
        text: 'The files are successive downloads that overlap (the managed gateway keeps its latest 1,000 lines): say so when one does not overlap the stream, since lines were then lost at the source.',
      },
      { flag: '--json', text: 'Print the summary as one JSON object.' },
      {
        flag: '--state',
        value: 'FILE',
        text: 'The checkpoint file. Default .tunnelwatch/import-state.json.',
      },
      {
        flag: '--rejects',
        value: 'FILE',
        text: 'Where lines the service refused are written (NDJSON). Default .tunnelwatch/import-rejects.ndjson.',
      },
      {
        flag: '--settle',
        value: 'SECONDS',
        text: 'How long written events may take to become readable, waited before reading back what this run wrote. Default 5; 0 for the emulator.',
      },
      {
        flag: '--archive',
        value: 's3://BUCKET/PREFIX',
        text: 'Send lines older than CloudWatch Logs accepts (14 days) to this S3 archive (gzip NDJSON with the parsed fields, partitioned by source, server and day) instead of the rejects file.',
      },
      REGION,
      ENDPOINT,
      HELP,
    ],
    examples: [
      [
        'import --log-group /tunnelwatch/openvpn/gw1 --tz Asia/Tokyo vpngw-*.log',
        'import downloads of the gateway log',
      ],
      [
        'import --log-group /tunnelwatch/softether/vpn1/security_log/DEFAULT --verify /usr/local/vpnserver/security_log/DEFAULT/',
        'a hub log tree, checked afterwards',
      ],
    ],
  },
  logs: {
    summary: "list a log group's streams, or download one in its original line form",
    usage: [
      'logs list --log-group GROUP [--measure] [--json] [--region R] [--endpoint-url URL]',
      'logs get --log-group GROUP --stream NAME [--start T] [--end T] [-o FILE] [--region R] [--endpoint-url URL]',
      'logs get --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [-o FILE] [--region R] [--endpoint-url URL]',
    ],
    description: `list prints each stream with its size and first and last event time; get prints (or writes) a stream's lines, joining lines that were split on import. ${TIME}`,
    flags: [
      LOG_GROUP,
      { flag: '--stream', value: 'NAME', text: 'get: the log stream to download (required).' },
      { flag: '--start', value: 'T', text: 'get: first event time. Default: the beginning.' },
      { flag: '--end', value: 'T', text: 'get: events before this time. Default: the end.' },
      {
        flag: '-o, --output',
        value: 'FILE',
        text: 'get: write the lines to FILE instead of standard output.',
      },
      {
        flag: '--measure',
        text: 'list: read every stream to count its events and bytes (CloudWatch Logs reports 0 bytes per stream).',
      },
      { flag: '--json', text: 'list: one JSON object per stream.' },
      {
        flag: '--archive',
        value: 's3://BUCKET/PREFIX',
        text: 'get: read the stream from the S3 archive of history older than CloudWatch Logs keeps (written by import --archive) instead of a log group.',
      },
      REGION,
      ENDPOINT,
      HELP,
    ],
    examples: [
      ['logs list --log-group /tunnelwatch/openvpn/gw1', 'the streams of a group'],
      [
        'logs get --log-group /tunnelwatch/openvpn/gw1 --stream gw1 --start 1d -o gw1.log',
        'the last day of a stream, to a file',
      ],
    ],
  },
  tail: {
    summary: "run the rules over a log group's recent events; --follow keeps watching",
    usage: [
      'tail --log-group GROUP [--stream NAME] [--since T] [--follow] [--interval SECONDS] [--source S] [--tz ZONE] [--config FILE] [--json] [--events] [--region R] [--endpoint-url URL]',
    ],
    description: `Reads the log group's events since --since (FilterLogEvents), runs them through the rules with in-memory state and prints the report as replay does. It says on stderr how many events it read (and, when none, how to look further back). With --follow it then polls, saying that it is watching, and prints each new alert on one line. ${TIME}`,
    flags: [
      LOG_GROUP,
      { flag: '--stream', value: 'NAME', text: 'Read only this log stream.' },
      { flag: '--since', value: 'T', text: 'Start of the window. Default 10m.' },
      { flag: '-f, --follow', text: 'Keep polling for new events until Ctrl-C.' },
      {
        flag: '--interval',
        value: 'SECONDS',
        text: 'Seconds between polls with --follow. Default 5.',
      },
      SOURCE,
      TZ,
      {
        ...CONFIG,
        text: `${CONFIG.text} A log group the deploy configuration names gets its source and zone from it.`,
      },
      { flag: '--json', text: 'One JSON object per alert.' },
      {
        flag: '--events',
        text: 'Also print every event read, in the classify shape plus stream and eventId (implies one JSON object per alert).',
      },
      REGION,
      ENDPOINT,
      HELP,
    ],
    examples: [
      [
        'tail --log-group /aws/vendedlogs/vpn/tunnels --since 1d',
        'a day of tunnel logs through the rules',
      ],
      [
        'tail --log-group /tunnelwatch/openvpn/gw1 --config tunnelwatch.config.json --follow',
        'watch a gateway, zone from the configuration',
      ],
    ],
  },
  redrive: {
    summary: "replay the alert function's dead-letter queue",
    usage: ['redrive [--queue-url URL] [--max N] [--dry-run]'],
    description:
      'Reads the failed invocations from the dead-letter queue and runs them through the pipeline with the deployed state table and topic, deleting each message once replayed. Environment as for the Lambda: STATE_TABLE_NAME, ALERT_TOPIC_ARN, LOG_GROUP_SOURCES, RULES_CONFIG; AWS_REGION, AWS_ENDPOINT_URL. Exit 1 when some messages stay on the queue.',
    flags: [
      {
        flag: '--queue-url',
        value: 'URL',
        text: 'The dead-letter queue. Default: DEAD_LETTER_QUEUE_URL.',
      },
      { flag: '--max', value: 'N', text: 'Handle at most N messages. Default 100.' },
      { flag: '--dry-run', text: 'Read and classify only; replay and delete nothing.' },
      HELP,
    ],
    examples: [['redrive --dry-run --max 10', 'look at the first ten failed invocations']],
  },
  'agent-config': {
    summary: 'print the CloudWatch agent configuration for a configured server',
    usage: [
      'agent-config [--config FILE] (--softether SERVER | --openvpn GATEWAY) [--stream NAME]',
    ],
    description:
      "Prints the CloudWatch agent's logs section that ships a server's log files to the log groups the stack created for it, with the timestamp formats the agent needs.",
    flags: [
      {
        flag: '--config',
        value: 'FILE',
        text: 'The deploy configuration. Default ./tunnelwatch.config.json.',
      },
      { flag: '--softether', value: 'SERVER', text: 'A softetherServers name.' },
      { flag: '--openvpn', value: 'GATEWAY', text: 'An openvpnGateways name.' },
      {
        flag: '--stream',
        value: 'NAME',
        text: 'Log stream name. Default {hostname} (the agent fills it in).',
      },
      HELP,
    ],
    examples: [
      [
        'agent-config --config tunnelwatch.config.json --softether vpn1 > agent.json',
        'the agent configuration of server vpn1',
      ],
    ],
  },
};

/** `tunnelwatch help`: the commands with one line each. */
export function overviewText(version: string): string {
  const names = Object.keys(COMMAND_HELP);
  const width = Math.max(...names.map((name) => name.length));
  return [
    `tunnelwatch ${version}: VPN logs turned into the alerts on-call receives`,
    '',
    'usage: tunnelwatch <command> [options] FILE...',
    '       tunnelwatch help <command>   (or tunnelwatch <command> --help)',
    '       tunnelwatch --version',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${COMMAND_HELP[name]?.summary ?? ''}`),
    '',
    'FILE - reads standard input. Exit codes: 0 done, 1 a file could not be read,',
    '2 bad usage (including a missing region), 3 --fail-on matched.',
  ].join('\n');
}

/** Wraps `text` at `width` columns, each line starting with `indent`. */
function wrap(text: string, indent: string, width = 80): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** `tunnelwatch help CMD`; undefined for an unknown command. */
export function commandHelpText(name: string): string | undefined {
  const help = COMMAND_HELP[name];
  if (help === undefined) return undefined;
  return [
    ...help.usage.map((usage, i) => `${i === 0 ? 'usage: ' : '       '}tunnelwatch ${usage}`),
    '',
    ...wrap(help.description, ''),
    '',
    'options:',
    ...help.flags.flatMap((flag) => [
      `  ${flag.flag}${flag.value === undefined ? '' : ` ${flag.value}`}`,
      ...wrap(flag.text, '      '),
    ]),
    '',
    'examples:',
    ...help.examples.flatMap(([command, what]) => [`  # ${what}`, `  tunnelwatch ${command}`]),
  ].join('\n');
}
