/**
 * What `tunnelwatch replay` prints: the alerts as an aligned table (coloured
 * on a terminal) with a summary, or one JSON object per alert (docs/cli.md).
 */
import { aboutText } from '../../alerts/render.ts';
import { safeJson, sanitizeLine } from '../../alerts/sanitize.ts';
import {
  type AlertComparison,
  type AlertRef,
  isExact,
  isLossless,
  type StoreCalls,
} from '../../deliveries.ts';
import { type Alert, type Category, isoTime, type Severity, type Source } from '../../model.ts';
import { DEFAULT_LATENESS_MS, type PipelineResult } from '../../pipeline.ts';

/** The pipeline's lateness bound in hours, as the reports name it. */
const LATENESS_HOURS = DEFAULT_LATENESS_MS / 3_600_000;

/**
 * The `--json` object of one alert: docs/cli.md's keys, plus `id`, `remediation`
 * and `docUrl`. Faithful to the alert; C1, bidi and invisible characters are
 * `\u` escapes (`safeJson`), so the line is inert on a terminal.
 */
export function alertJson(alert: Alert): string {
  return safeJson({
    rule: alert.rule,
    status: alert.status,
    category: alert.category,
    severity: alert.severity,
    source: alert.source,
    key: alert.key,
    subject: alert.subject,
    time: isoTime(alert.time),
    evidence: alert.evidence,
    id: alert.id,
    remediation: alert.remediation,
    ...(alert.docUrl === undefined ? {} : { docUrl: alert.docUrl }),
    // Multi-account alerts only: where the log group is.
    ...(alert.account === undefined ? {} : { account: alert.account }),
    ...(alert.region === undefined ? {} : { region: alert.region }),
  });
}

/** SGR codes of the styles used; applied only when writing to a terminal. */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
} as const satisfies Record<string, readonly [number, number]>;

type Style = keyof typeof STYLES;

/** Styles text for a terminal, or returns it unchanged. */
export type Paint = (style: Style, text: string) => string;

/** A `Paint` that colours when `colour` is true. */
export function painter(colour: boolean): Paint {
  if (!colour) return (_style, text) => text;
  return (style, text) => `\u001b[${STYLES[style][0]}m${text}\u001b[${STYLES[style][1]}m`;
}

const SEVERITY_STYLE: Readonly<Record<Severity, Style>> = {
  critical: 'red',
  warning: 'yellow',
  info: 'cyan',
};

/** Longest ABOUT cell, characters. */
const MAX_ABOUT = 48;
/** Longest summary printed under an alert, characters (the terminal wraps it). */
const MAX_SUMMARY = 400;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function timeCell(time: number): string {
  return isoTime(time)
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** One row per alert plus its summary (and with `explain`, its remediation and link), aligned. */
function alertRows(alerts: readonly Alert[], paint: Paint, explain = false): string[] {
  const rows = alerts.map((alert) => ({
    alert,
    cells: [
      timeCell(alert.time),
      alert.status === 'resolved' ? 'RESOLVED' : 'OPENED',
      alert.severity,
      alert.rule,
      alert.category,
      cut(sanitizeLine(aboutText(alert.about)) || alert.key, MAX_ABOUT),
    ],
  }));
  const header = ['TIME (UTC)', 'STATUS', 'SEVERITY', 'RULE', 'CAUSE', 'ABOUT'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row.cells[column]?.length ?? 0)),
  );
  const pad = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0));
  const lines = [paint('bold', pad(header).join('  ').trimEnd())];
  const indent = ' '.repeat((widths[0] ?? 0) + 2);
  for (const { alert, cells } of rows) {
    const padded = pad(cells);
    const statusStyle: Style =
      alert.status === 'resolved' ? 'green' : SEVERITY_STYLE[alert.severity];
    padded[1] = paint('bold', paint(statusStyle, padded[1] ?? ''));
    padded[2] = paint(SEVERITY_STYLE[alert.severity], padded[2] ?? '');
    lines.push(padded.join('  ').trimEnd());
    lines.push(paint('dim', `${indent}${sanitizeLine(alert.summary, MAX_SUMMARY)}`));
    if (explain) {
      lines.push(`${indent}${paint('bold', 'What to do:')} ${sanitizeLine(alert.remediation)}`);
      if (alert.docUrl !== undefined) lines.push(`${indent}${paint('cyan', alert.docUrl)}`);
    }
  }
  return lines;
}

/** The summary after the table: alerts by rule, events by category, the counts. */
function summaryLines(
  result: PipelineResult,
  files: number,
  paint: Paint,
  unit: InputUnit,
): string[] {
  const lines: string[] = ['', paint('bold', 'Alerts by rule')];
  const byRule = new Map<string, { opened: number; resolved: number }>();
  for (const alert of result.alerts) {
    const entry = byRule.get(alert.rule) ?? { opened: 0, resolved: 0 };
    entry[alert.status]++;
    byRule.set(alert.rule, entry);
  }
  if (byRule.size === 0) lines.push('  none');
  const ruleWidth = Math.max(0, ...[...byRule.keys()].map((rule) => rule.length));
  for (const [rule, { opened, resolved }] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = [`${count(opened).padStart(5)} opened`];
    if (resolved > 0) parts.push(`${count(resolved).padStart(5)} resolved`);
    lines.push(`  ${rule.padEnd(ruleWidth)}  ${parts.join('  ')}`);
  }

  lines.push(
    '',
    paint(
      'bold',
      `Events by category (${count(result.events)} lines from ${count(files)} ${unit}${files === 1 ? '' : 's'})`,
    ),
  );
  const rows: [Source, Category, number][] = [];
  for (const [source, categories] of Object.entries(result.byCategory) as [
    Source,
    Partial<Record<Category, number>>,
  ][]) {
    for (const [category, n] of Object.entries(categories) as [Category, number][])
      rows.push([source, category, n]);
  }
  rows.sort((a, b) =>
    a[0] === b[0] ? b[2] - a[2] || (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1,
  );
  if (rows.length === 0) lines.push('  none');
  const sourceWidth = Math.max(0, ...rows.map((row) => row[0].length));
  const categoryWidth = Math.max(0, ...rows.map((row) => row[1].length));
  const countWidth = Math.max(0, ...rows.map((row) => count(row[2]).length));
  let previous: string | undefined;
  for (const [source, category, n] of rows) {
    const label = source === previous ? '' : source;
    previous = source;
    lines.push(
      `  ${label.padEnd(sourceWidth)}  ${category.padEnd(categoryWidth)}  ${count(n).padStart(countWidth)}`,
    );
  }

  const held = result.suppressed;
  const heldParts = [
    held.cooldown > 0 ? `${count(held.cooldown)} in cooldown` : '',
    held.folded > 0 ? `${count(held.folded)} folded into open incidents` : '',
    held.dedup > 0 ? `${count(held.dedup)} already raised` : '',
  ].filter((part) => part !== '');
  lines.push(
    '',
    [
      `Unclassified ${count(result.unclassified)}`,
      `Malformed ${count(result.malformed)}`,
      `Duplicates ${count(result.duplicates)}`,
      ...(result.late > 0
        ? [`Late ${count(result.late)} (over ${LATENESS_HOURS} h behind their stream, not judged)`]
        : []),
      `Alerts held back ${heldParts.length === 0 ? '0' : heldParts.join(', ')}`,
    ].join(' · '),
  );
  return lines;
}

/** What the report's inputs were: files (`replay`) or log streams (`tail`). */
export type InputUnit = 'file' | 'stream';

/** What a report shows besides the pipeline's result. */
export interface ReportExtras {
  /** `--explain`: each alert's remediation and documentation link in the table. */
  readonly explain?: boolean;
  /** aws-s2s events that named no tunnel (no VPN id and outside IP in the stream name). */
  readonly withoutTunnel?: number;
}

/** The hint for aws-s2s events without a tunnel identity; undefined when there were none. */
export function withoutTunnelLine(events: number | undefined): string | undefined {
  if (events === undefined || events === 0) return undefined;
  return `aws-s2s events without a tunnel ${count(events)}: their stream name carries no VPN connection id and tunnel outside IP, so no tunnel rule saw them; pass --stream vpn-0abc…-203.0.113.10 (or name the file after its log stream)`;
}

/** The human report: a headline, the alert table, the summary. */
export function humanReport(
  result: PipelineResult,
  files: number,
  paint: Paint,
  unit: InputUnit = 'file',
  extras: ReportExtras = {},
): string[] {
  const opened = result.alerts.filter((alert) => alert.status === 'opened').length;
  const resolved = result.alerts.length - opened;
  const headline =
    result.alerts.length === 0
      ? 'No alerts: nothing in these logs would have reached on-call.'
      : `${count(result.alerts.length)} alert${result.alerts.length === 1 ? '' : 's'} on-call would have received (${count(opened)} opened, ${count(resolved)} resolved)`;
  const lines = [paint('bold', headline)];
  if (result.alerts.length > 0) lines.push('', ...alertRows(result.alerts, paint, extras.explain));
  const identity = withoutTunnelLine(extras.withoutTunnel);
  return [
    ...lines,
    ...summaryLines(result, files, paint, unit),
    ...(identity === undefined ? [] : [paint('yellow', identity)]),
  ];
}

/**
 * The `{"summary": …}` object that ends `replay --json`: alerts by rule and
 * status, events by source and category, and the counts of the human summary.
 */
export function summaryJson(
  result: PipelineResult,
  files: number,
  extras: ReportExtras = {},
): string {
  return safeJson({ summary: summaryObject(result, files, extras) });
}

/** The members of `summaryJson`'s `summary` object. */
export function summaryObject(
  result: PipelineResult,
  files: number,
  extras: ReportExtras = {},
): Record<string, unknown> {
  const byRule: Record<string, { opened: number; resolved: number }> = {};
  for (const alert of result.alerts) {
    const entry = byRule[alert.rule] ?? { opened: 0, resolved: 0 };
    entry[alert.status]++;
    byRule[alert.rule] = entry;
  }
  return {
    files,
    events: result.events,
    alerts: result.alerts.length,
    alertsByRule: byRule,
    eventsByCategory: result.byCategory,
    unclassified: result.unclassified,
    malformed: result.malformed,
    duplicates: result.duplicates,
    late: result.late,
    heldBack: result.suppressed,
    withoutTunnel: extras.withoutTunnel ?? 0,
  };
}

/** How `replay --deliveries` cut and handed over its input. */
export interface DeliveriesPlanInfo {
  /** Lines per delivery. */
  readonly linesPerDelivery: number;
  /** Distinct deliveries (before repeats). */
  readonly deliveries: number;
  /** Hand-overs, repeats included. */
  readonly handOvers: number;
  readonly shuffleSeed?: number;
  readonly repeat: number;
  /** What the state store was asked over all hand-overs. */
  readonly storeCalls: StoreCalls;
  /**
   * Lines handed over more than the lateness bound behind their stream's
   * newest line: counted, not judged (a shuffle across days or months).
   */
  readonly late: number;
}

/** The `deliveries` member of `replay --deliveries --json`'s closing summary object. */
export function deliveriesJson(
  plan: DeliveriesPlanInfo,
  comparison: AlertComparison,
): Record<string, unknown> {
  return {
    linesPerDelivery: plan.linesPerDelivery,
    deliveries: plan.deliveries,
    handOvers: plan.handOvers,
    shuffleSeed: plan.shuffleSeed ?? null,
    repeat: plan.repeat,
    storeCalls: plan.storeCalls,
    late: plan.late,
    lossless: isLossless(comparison),
    exact: isExact(comparison),
    comparison: {
      ...comparison,
      lost: comparison.lost.map(refJson),
      extra: comparison.extra.map(refJson),
      moved: comparison.moved.map(({ reference, published }) => ({
        reference: refJson(reference),
        published: refJson(published),
      })),
      doubled: comparison.doubled.map(({ first, second }) => ({
        first: refJson(first),
        second: refJson(second),
      })),
    },
  };
}

function refJson(ref: AlertRef): Record<string, unknown> {
  return { ...ref, time: isoTime(ref.time) };
}

function perHandOver(total: number, handOvers: number): string {
  return handOvers === 0 ? '0' : (total / handOvers).toFixed(1);
}

/** Longest alert key printed in the deliveries section, characters. */
const MAX_KEY = 100;
/** Longest list of differences printed per kind; the rest are counted. */
const MAX_DIFFERENCES = 20;

function refText(ref: AlertRef): string {
  return `${timeCell(ref.time)}  ${ref.status === 'resolved' ? 'RESOLVED' : 'OPENED'}  ${ref.rule}  ${cut(sanitizeLine(ref.key), MAX_KEY)}`;
}

/**
 * The human section after `replay --deliveries`' report: how the input was
 * delivered and what differs from the plain replay, and why.
 */
export function deliveriesReport(
  plan: DeliveriesPlanInfo,
  comparison: AlertComparison,
  paint: Paint,
): string[] {
  const order =
    plan.shuffleSeed === undefined ? 'in time order' : `shuffled (seed ${plan.shuffleSeed})`;
  const repeats = plan.repeat > 1 ? `, each ${plan.repeat} times` : '';
  const lines = [
    '',
    paint(
      'bold',
      `Deliveries: ${count(plan.deliveries)} of up to ${count(plan.linesPerDelivery)} line${plan.linesPerDelivery === 1 ? '' : 's'}, ${order}${repeats} (${count(plan.handOvers)} hand-overs)`,
    ),
    `  Compared with plain replay (${count(comparison.reference)} alerts): ${count(comparison.published)} published, ` +
      `${count(comparison.missingIds.length)} ids missing, ${count(comparison.extraIds.length)} extra, ` +
      `${count(comparison.doubledIds.length)} published twice`,
    `  State store per hand-over: ${perHandOver(plan.storeCalls.getMany, plan.handOvers)} getMany ` +
      `(${perHandOver(plan.storeCalls.keysRead, plan.handOvers)} keys), ` +
      `${perHandOver(plan.storeCalls.putMany, plan.handOvers)} putMany ` +
      `(${perHandOver(plan.storeCalls.keysWritten, plan.handOvers)} keys)`,
  ];
  const section = (title: string, items: readonly string[]): void => {
    if (items.length === 0) return;
    lines.push(`  ${title}: ${count(items.length)}`);
    for (const item of items.slice(0, MAX_DIFFERENCES)) lines.push(`    ${item}`);
    if (items.length > MAX_DIFFERENCES) {
      lines.push(`    … ${count(items.length - MAX_DIFFERENCES)} more`);
    }
  };
  section(
    paint('red', 'Lost (no published incident of the same rule and key matches it)'),
    comparison.lost.map(refText),
  );
  section(
    paint('red', 'Published twice (same alert id)'),
    comparison.doubledIds.map((id) => sanitizeLine(id)),
  );
  section(
    paint('red', 'Opened twice with no resolved between'),
    comparison.doubled.map(
      ({ first, second }) => `${refText(second)}  (already open since ${timeCell(first.time)})`,
    ),
  );
  section(paint('yellow', 'Extra (no such alert in plain replay)'), comparison.extra.map(refText));
  section(
    'Raised under another id or time (a line of the incident came in another delivery)',
    comparison.moved.map(
      ({ reference, published }) =>
        `${refText(reference)}  → ${timeCell(published.time)} as ${sanitizeLine(published.id)}`,
    ),
  );
  if (plan.late > 0) {
    lines.push(
      `  ${count(plan.late)} line${plan.late === 1 ? '' : 's'} came over ${LATENESS_HOURS} h behind the newest of their stream and were not judged by the rules ` +
        '(the lateness bound; a live log group delivers within minutes, a shuffle across days does not).',
    );
  }
  lines.push(
    isLossless(comparison)
      ? paint(
          'green',
          `  No alert lost, none doubled${isExact(comparison) ? '; the same alerts by id' : ''}.`,
        )
      : paint(
          'red',
          `  ${count(comparison.lost.length)} lost, ${count(comparison.doubledIds.length + comparison.doubled.length)} doubled.`,
        ),
  );
  return lines;
}
