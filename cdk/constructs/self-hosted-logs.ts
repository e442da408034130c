/**
 * Log groups and IAM policies for self-hosted VPN servers (OpenVPN,
 * SoftEther / PacketiX) whose log files the CloudWatch agent ships.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type IManagedPolicy, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ILogGroup, LogGroup, LogGroupClass, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  LOG_GROUP_NAME_PATTERN,
  openvpnLogGroupName,
  type SoftEtherLogKind,
  softetherLogGroupName,
} from '../log-layout.ts';
import { isToken, throwIfProblems } from './validation.ts';

/** Default retention of self-hosted server logs. */
export const DEFAULT_SERVER_LOG_RETENTION = RetentionDays.THREE_MONTHS;
/** What the CloudWatch agent may do on its log groups: write only. */
export const AGENT_WRITE_ACTIONS = [
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
] as const;
/** What a reader of a log group may do: read events, nothing else. */
export const LOG_READ_ACTIONS = [
  'logs:DescribeLogStreams',
  'logs:FilterLogEvents',
  'logs:GetLogEvents',
] as const;

/** Options shared by the self-hosted log group constructs. */
export interface ServerLogGroupOptions {
  /** @default - DEFAULT_SERVER_LOG_RETENTION */
  readonly retention?: RetentionDays;
  /** @default - encrypted by CloudWatch Logs with its own key */
  readonly encryptionKey?: IKey;
  /** @default - RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

function serverLogGroup(
  scope: Construct,
  id: string,
  name: string,
  options: ServerLogGroupOptions,
) {
  return new LogGroup(scope, id, {
    logGroupName: name,
    retention: options.retention ?? DEFAULT_SERVER_LOG_RETENTION,
    logGroupClass: LogGroupClass.STANDARD,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
    ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
  });
}

function readPolicy(
  scope: Construct,
  id: string,
  description: string,
  groups: readonly ILogGroup[],
) {
  return new ManagedPolicy(scope, id, {
    description,
    statements: [
      new PolicyStatement({
        sid: 'ReadLogs',
        actions: [...LOG_READ_ACTIONS],
        resources: groups.map((group) => group.logGroupArn),
      }),
    ],
  });
}

const SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Props of `OpenVpnGatewayLogs`. */
export interface OpenVpnGatewayLogsProps extends ServerLogGroupOptions {
  /** Gateway name: letters, digits, `.`, `_`, `-`. */
  readonly gatewayName: string;
}

/** The log group `/tunnelwatch/openvpn/<gateway>` of one OpenVPN server or gateway. */
export class OpenVpnGatewayLogs extends Construct {
  /** The log group. */
  readonly logGroup: LogGroup;
  /** Its name. */
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: OpenVpnGatewayLogsProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!isToken(props.gatewayName) && !SERVER_NAME.test(props.gatewayName)) {
      problems.push(
        `gatewayName must be letters, digits, ".", "_" or "-", got "${props.gatewayName}"`,
      );
    }
    throwIfProblems(this, problems);
    this.logGroupName = openvpnLogGroupName(props.gatewayName);
    this.logGroup = serverLogGroup(this, 'LogGroup', this.logGroupName, props);
  }
}

/** A hub of a SoftEther server. */
export interface SoftEtherHubLogsOptions {
  /** Virtual Hub name as on the server (becomes part of log group names). */
  readonly name: string;
  /** Create a packet log group for the hub. @default true */
  readonly packetLog?: boolean;
}

/** Props of `SoftEtherServerLogs`. */
export interface SoftEtherServerLogsProps extends ServerLogGroupOptions {
  readonly serverName: string;
  readonly hubs: readonly SoftEtherHubLogsOptions[];
}

/** One SoftEther log group and what it holds. */
export interface SoftEtherLogGroup {
  readonly kind: SoftEtherLogKind;
  /** Hub name; absent for the server log. */
  readonly hub?: string;
  readonly logGroupName: string;
  readonly logGroup: LogGroup;
}

/**
 * The log groups of one SoftEther VPN server, mirroring its log directory:
 * the server log, and per Virtual Hub the security log and the packet log.
 * Read-only managed policies follow the PacketiX permission model (PacketiX VPN manual
 * §3.10.6; `EnumLogFile` in the SoftEther source): a hub administrator reads
 * only that hub's security and packet logs — not the server log, which holds
 * a copy of every hub's events — and the server administrator reads all.
 */
export class SoftEtherServerLogs extends Construct {
  /** Every log group of the server. */
  readonly logGroups: readonly SoftEtherLogGroup[];
  /** The server log group. */
  readonly serverLog: LogGroup;
  /** Per hub name: a policy to attach to that hub's administrators. */
  readonly hubReadPolicies: ReadonlyMap<string, IManagedPolicy>;
  /** A policy for the server administrator: every log of this server. */
  readonly serverReadPolicy: IManagedPolicy;

  constructor(scope: Construct, id: string, props: SoftEtherServerLogsProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!isToken(props.serverName) && !SERVER_NAME.test(props.serverName)) {
      problems.push(
        `serverName must be letters, digits, ".", "_" or "-", got "${props.serverName}"`,
      );
    }
    const seen = new Set<string>();
    for (const [i, hub] of props.hubs.entries()) {
      const name = softetherLogGroupName('x', 'security_log', hub.name);
      if (!LOG_GROUP_NAME_PATTERN.test(name)) {
        problems.push(`hubs[${i}].name cannot be part of a log group name: "${hub.name}"`);
      }
      if (seen.has(hub.name.toUpperCase())) {
        problems.push(
          `hubs[${i}].name "${hub.name}" is listed twice (hub names are case-insensitive)`,
        );
      }
      seen.add(hub.name.toUpperCase());
    }
    throwIfProblems(this, problems);

    const groups: SoftEtherLogGroup[] = [];
    const serverLogName = softetherLogGroupName(props.serverName, 'server_log');
    this.serverLog = serverLogGroup(this, 'ServerLog', serverLogName, props);
    groups.push({ kind: 'server_log', logGroupName: serverLogName, logGroup: this.serverLog });
    const hubReadPolicies = new Map<string, IManagedPolicy>();
    for (const hub of props.hubs) {
      const hubScope = new Construct(this, `Hub-${hub.name}`);
      const hubGroups: SoftEtherLogGroup[] = [];
      const kinds: SoftEtherLogKind[] =
        hub.packetLog === false ? ['security_log'] : ['security_log', 'packet_log'];
      for (const kind of kinds) {
        const name = softetherLogGroupName(props.serverName, kind, hub.name);
        const logGroup = serverLogGroup(
          hubScope,
          kind === 'security_log' ? 'SecurityLog' : 'PacketLog',
          name,
          props,
        );
        hubGroups.push({ kind, hub: hub.name, logGroupName: name, logGroup });
      }
      groups.push(...hubGroups);
      hubReadPolicies.set(
        hub.name,
        readPolicy(
          hubScope,
          'ReadPolicy',
          `tunnelwatch: read the logs of SoftEther hub ${hub.name} on ${props.serverName}`,
          hubGroups.map((g) => g.logGroup),
        ),
      );
    }
    this.logGroups = groups;
    this.hubReadPolicies = hubReadPolicies;
    this.serverReadPolicy = readPolicy(
      this,
      'ServerReadPolicy',
      `tunnelwatch: read every log of SoftEther server ${props.serverName}`,
      groups.map((g) => g.logGroup),
    );
  }
}

/** Props of `CloudWatchAgentWritePolicy`. */
export interface CloudWatchAgentWritePolicyProps {
  /** The groups the agent ships to. */
  readonly logGroups: readonly ILogGroup[];
}

/**
 * A managed policy for the CloudWatch agent on the VPN servers:
 * `logs:CreateLogStream`, `logs:PutLogEvents` and `logs:DescribeLogStreams`
 * on exactly the given groups — no reading of events, no other groups, no
 * creating groups (the stack creates them).
 */
export class CloudWatchAgentWritePolicy extends Construct {
  /** The managed policy. */
  readonly managedPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: CloudWatchAgentWritePolicyProps) {
    super(scope, id);
    throwIfProblems(
      this,
      props.logGroups.length === 0 ? ['logGroups must name at least one log group'] : [],
    );
    this.managedPolicy = new ManagedPolicy(this, 'Resource', {
      description: 'tunnelwatch: CloudWatch agent on VPN servers, write-only to their log groups',
      statements: [
        new PolicyStatement({
          sid: 'WriteVpnServerLogs',
          actions: [...AGENT_WRITE_ACTIONS],
          resources: props.logGroups.map((group) => group.logGroupArn),
        }),
      ],
    });
  }
}
