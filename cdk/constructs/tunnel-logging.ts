/**
 * `TunnelLogging`: turns tunnel logging on for existing Site-to-Site VPN
 * connections, one tunnel at a time, and off again when removed.
 */
import {
  type CfnElement,
  CustomResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type { CfnVPNConnection } from 'aws-cdk-lib/aws-ec2';
import {
  type CfnPolicy,
  type IManagedPolicy,
  type Policy,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct, type IDependable } from 'constructs';
import { handlerFunction, handlerSourceFile } from './handler-code.ts';
import { ALERT_FUNCTION_RUNTIME } from './tunnel-alert-function.ts';
import { isToken, throwIfProblems } from './validation.ts';
import { VpnLoggingOperatorPolicy } from './vpn-logging-operator-policy.ts';

/** The handlers' TypeScript source (exports `onEvent` and `isComplete`), bundled when no prebuilt bundle ships. */
export const DEFAULT_TUNNEL_LOGGING_ENTRY = handlerSourceFile('tunnel-logging');
/** How often CloudFormation's waiter asks whether a tunnel change is done. */
export const TUNNEL_QUERY_INTERVAL = Duration.seconds(30);
/** How long one tunnel change may take before the deploy fails. */
export const TUNNEL_CHANGE_TIMEOUT = Duration.hours(1);

/** Tunnel log output format (`LogOutputFormat`). */
export type TunnelLogFormat = 'json' | 'text';

/** One tunnel whose logging is managed, identified by its outside IP. */
export interface TunnelLoggingTarget {
  /** `vpn-…` id of an existing VPN connection. */
  readonly vpnConnectionId: string;
  /** The tunnel's AWS-side outside IPv4 address (never the tunnel's position). */
  readonly tunnelOutsideIp: string;
  /** ARN of the log group, without the `:*` suffix. */
  readonly logGroupArn: string;
  /** @default 'json' */
  readonly logOutputFormat?: TunnelLogFormat;
}

/** Props of `TunnelLogging`. */
export interface TunnelLoggingProps {
  readonly tunnels: readonly TunnelLoggingTarget[];
  /**
   * Policy attached to the custom resource's role.
   * @default - a `VpnLoggingOperatorPolicy` scoped to the tunnels' VPN connections
   */
  readonly operatorPolicy?: IManagedPolicy;
  /** @default - DEFAULT_PROVIDER_LOG_RETENTION */
  readonly providerLogRetention?: RetentionDays;
  /** A handler file to bundle instead. @default - the bundle shipped prebuilt in the package, else DEFAULT_TUNNEL_LOGGING_ENTRY */
  readonly handlerEntry?: string;
}

/** Default retention of the custom resource provider's log group. */
export const DEFAULT_PROVIDER_LOG_RETENTION = RetentionDays.ONE_MONTH;
/**
 * Tunnel order for the chain: by VPN connection, then outside IP, interleaved
 * so that the two tunnels of one connection are as far apart as possible
 * (first tunnel of every connection, then the second ones).
 */
export function tunnelChainOrder(tunnels: readonly TunnelLoggingTarget[]): TunnelLoggingTarget[] {
  const byVpn = new Map<string, TunnelLoggingTarget[]>();
  for (const tunnel of tunnels) {
    const list = byVpn.get(tunnel.vpnConnectionId) ?? [];
    list.push(tunnel);
    byVpn.set(tunnel.vpnConnectionId, list);
  }
  const columns = [...byVpn.keys()]
    .sort()
    .map((vpnId) =>
      (byVpn.get(vpnId) ?? []).sort((a, b) => a.tunnelOutsideIp.localeCompare(b.tunnelOutsideIp)),
    );
  const ordered: TunnelLoggingTarget[] = [];
  for (let round = 0; columns.some((column) => round < column.length); round++) {
    for (const column of columns) {
      const tunnel = column[round];
      if (tunnel !== undefined) ordered.push(tunnel);
    }
  }
  return ordered;
}

/**
 * One custom resource per tunnel (provider with `onEvent` + `isComplete`,
 * lambda/tunnel-logging.ts): create/update turns logging on with the group
 * and format, delete turns it off, each by `ModifyVpnTunnelOptions`. Each
 * change renegotiates that tunnel, so the resources form one dependency chain
 * and `isComplete` holds the chain until the connection is `available` again
 * with the wanted setting: CloudFormation changes one tunnel, waits, then the
 * next — never both tunnels of a connection at once. Tunnels are keyed by
 * outside IP (construct id and physical id), never by their order.
 *
 * For VPN connections the stack itself creates, use `tunnelLogOptions` on
 * `CfnVPNConnection` instead (changing it on an existing connection replaces it).
 */
export class TunnelLogging extends Construct {
  /** One custom resource per tunnel, in chain order. */
  readonly tunnelResources: readonly CustomResource[];
  /** The role of the handler functions. */
  readonly role: Role;
  /** The operator policy created when none was given. */
  readonly operatorPolicy: IManagedPolicy;
  /** The custom resource provider. */
  readonly provider: Provider;

  constructor(scope: Construct, id: string, props: TunnelLoggingProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.tunnels.length === 0) problems.push('tunnels must name at least one tunnel');
    const seen = new Set<string>();
    for (const [i, tunnel] of props.tunnels.entries()) {
      if (
        !isToken(tunnel.vpnConnectionId) &&
        !/^vpn-[0-9a-f]{8,17}$/.test(tunnel.vpnConnectionId)
      ) {
        problems.push(
          `tunnels[${i}].vpnConnectionId must be a vpn-… id, got "${tunnel.vpnConnectionId}"`,
        );
      }
      if (
        !isToken(tunnel.tunnelOutsideIp) &&
        !/^\d{1,3}(\.\d{1,3}){3}$/.test(tunnel.tunnelOutsideIp)
      ) {
        problems.push(
          `tunnels[${i}].tunnelOutsideIp must be an IPv4 address, got "${tunnel.tunnelOutsideIp}"`,
        );
      }
      if (!isToken(tunnel.logGroupArn) && tunnel.logGroupArn.endsWith(':*')) {
        problems.push(
          `tunnels[${i}].logGroupArn must not end with ":*", got "${tunnel.logGroupArn}"`,
        );
      }
      const key = `${tunnel.vpnConnectionId}:${tunnel.tunnelOutsideIp}`;
      if (seen.has(key)) problems.push(`tunnels[${i}]: tunnel ${key} is listed more than once`);
      seen.add(key);
    }
    throwIfProblems(this, problems);

    this.operatorPolicy =
      props.operatorPolicy ??
      new VpnLoggingOperatorPolicy(this, 'OperatorPolicy', {
        vpnConnectionIds: [...new Set(props.tunnels.map((t) => t.vpnConnectionId))].sort(),
      }).managedPolicy;
    const logGroup = new LogGroup(this, 'ProviderLogs', {
      retention: props.providerLogRetention ?? DEFAULT_PROVIDER_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'HandlerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'tunnelwatch: sets Site-to-Site VPN tunnel logging options',
      managedPolicies: [this.operatorPolicy],
    });
    logGroup.grantWrite(this.role);
    const handler = (handlerName: 'onEvent' | 'isComplete') =>
      handlerFunction(this, handlerName === 'onEvent' ? 'OnEvent' : 'IsComplete', {
        name: 'tunnel-logging',
        ...(props.handlerEntry === undefined ? {} : { entry: props.handlerEntry }),
        handler: handlerName,
        runtime: ALERT_FUNCTION_RUNTIME,
        architecture: Architecture.ARM_64,
        timeout: Duration.minutes(1),
        role: this.role,
        logGroup,
        description: `tunnelwatch: tunnel logging custom resource (${handlerName})`,
      });
    const frameworkRole = (roleId: string) => {
      const role = new Role(this, roleId, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: 'tunnelwatch: custom resource provider framework',
      });
      logGroup.grantWrite(role);
      return role;
    };
    const onEvent = handler('onEvent');
    const isComplete = handler('isComplete');
    this.provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: TUNNEL_QUERY_INTERVAL,
      totalTimeout: TUNNEL_CHANGE_TIMEOUT,
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkWaiterRole'),
      logGroup,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { level: LogLevel.ALL, destination: logGroup },
    });
    withoutLogWritesEverywhere(this.provider);
    acknowledgeProviderFindings(this, [onEvent, isComplete]);

    let previous: IDependable | undefined;
    const resources: CustomResource[] = [];
    for (const tunnel of tunnelChainOrder(props.tunnels)) {
      const resource = new CustomResource(
        this,
        `Tunnel-${tunnel.vpnConnectionId}-${tunnel.tunnelOutsideIp}`,
        {
          serviceToken: this.provider.serviceToken,
          resourceType: 'Custom::TunnelLogging',
          properties: {
            VpnConnectionId: tunnel.vpnConnectionId,
            TunnelOutsideIp: tunnel.tunnelOutsideIp,
            LogGroupArn: tunnel.logGroupArn,
            LogOutputFormat: tunnel.logOutputFormat ?? 'json',
          },
        },
      );
      if (previous !== undefined) resource.node.addDependency(previous);
      previous = resource;
      resources.push(resource);
    }
    this.tunnelResources = resources;
  }
}

/** Actions the provider framework grants its waiter on every log group, which Step Functions does not use. */
const WAITER_LOG_WRITES = new Set(['logs:CreateLogStream', 'logs:PutLogEvents']);

interface ResolvedStatement {
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
  readonly [key: string]: unknown;
}

/**
 * The provider framework gives the waiter state machine's role
 * `logs:CreateLogStream` and `logs:PutLogEvents` on `*` next to the log
 * delivery actions. Step Functions writes execution logs through CloudWatch
 * Logs log delivery (the delivery actions and the log group's resource
 * policy), never with the role's own PutLogEvents, so those two actions would
 * only let the role write into any log group of the account: they are taken
 * out of the statement; the delivery actions stay (they take no resource).
 */
function withoutLogWritesEverywhere(provider: Provider): void {
  const role = provider.node.findChild('waiter-state-machine').node.findChild('Role');
  const policy = role.node.findChild('DefaultPolicy') as Policy;
  const stack = Stack.of(provider);
  (policy.node.defaultChild as CfnPolicy).addPropertyOverride(
    'PolicyDocument.Statement',
    Lazy.any({
      produce: () => {
        const document = stack.resolve(policy.document) as { Statement: ResolvedStatement[] };
        return document.Statement.map((statement) => {
          const actions = [statement.Action ?? []].flat();
          if (statement.Resource !== '*' || !actions.some((a) => WAITER_LOG_WRITES.has(a))) {
            return statement;
          }
          return { ...statement, Action: actions.filter((a) => !WAITER_LOG_WRITES.has(a)) };
        });
      },
    }),
  );
}

/** The `Resource::<LogicalId.Arn>:*` cdk-nag finding for invoking `fn` with any qualifier. */
function invokeFinding(fn: IConstruct): string {
  const cfn = fn.node.defaultChild as CfnElement;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(cfn)}.Arn>:*]`;
}

/** cdk-nag findings of the provider framework that tunnelwatch accepts, each with its reason. */
function acknowledgeProviderFindings(
  logging: TunnelLogging,
  handlers: readonly IConstruct[],
): void {
  const frameworkFunctions = ['framework-isComplete', 'framework-onTimeout'].map((id) =>
    logging.provider.node.findChild(id),
  );
  const reason =
    'The provider framework invokes these functions by ARN with any version qualifier (arn:…:*); each statement names one function of this construct';
  Validations.of(logging).acknowledge(
    ...[...handlers, ...frameworkFunctions].map((fn) => ({ id: invokeFinding(fn), reason })),
  );
  Validations.of(logging.provider.node.findChild('waiter-state-machine')).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions delivers its execution logs through CloudWatch Logs log delivery actions, which take no resource',
    },
    {
      id: 'AwsSolutions-SF2',
      reason: 'The waiter state machine only polls isComplete; X-Ray tracing adds nothing',
    },
  );
}

/**
 * `LogOptions` for one tunnel of a `CfnVPNConnection` the stack creates
 * (`VpnTunnelOptionsSpecifications[].LogOptions`). Changing log options on a
 * connection CloudFormation already manages REPLACES the connection (new
 * outside IPs and pre-shared keys): set them when the connection is created,
 * and use `TunnelLogging` for existing ones.
 */
export function tunnelLogOptions(
  logGroupArn: string,
  logOutputFormat: TunnelLogFormat = 'json',
): CfnVPNConnection.VpnTunnelLogOptionsSpecificationProperty {
  return {
    cloudwatchLogOptions: { logEnabled: true, logGroupArn, logOutputFormat },
  };
}
