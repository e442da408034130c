/**
 * tunnelwatch as a construct library: the constructs, the stack and the
 * configuration reader.
 */
export * from './config.ts';
export * from './constructs/alert-state-table.ts';
export * from './constructs/alert-topic.ts';
export * from './constructs/encryption-key.ts';
export * from './constructs/kinesis-ingestion.ts';
export * from './constructs/log-archive.ts';
export * from './constructs/log-destination.ts';
export * from './constructs/log-subscriptions.ts';
export * from './constructs/self-hosted-logs.ts';
export * from './constructs/tunnel-alert-function.ts';
export * from './constructs/tunnel-logging.ts';
export * from './constructs/tunnelwatch.ts';
export * from './constructs/tunnelwatch-alarms.ts';
export * from './constructs/tunnelwatch-dashboard.ts';
export * from './constructs/validation.ts';
export * from './constructs/vended-logs-delivery-policy.ts';
export * from './constructs/vpn-logging-operator-policy.ts';
export * from './constructs/vpn-logs.ts';
export * from './constructs/vpn-tunnel-log-group.ts';
export * from './log-layout.ts';
export * from './stacks/monitoring-stack.ts';
export * from './stacks/multi-account.ts';
export * from './stacks/source-account-stack.ts';
export * from './stacks/tunnelwatch-stack.ts';
