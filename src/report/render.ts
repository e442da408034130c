/**
 * From the report model to one self-contained HTML page: the style, the
 * timeline script and the data inline, a Content-Security-Policy that lets
 * the page load nothing from anywhere (scripts and styles allowed by hash
 * only), and the summary tables as plain HTML so that they read without
 * JavaScript. Pure: the script and style text are passed in (assets.ts).
 *
 * Log text is untrusted. Here it is HTML-escaped; in the data block it is
 * JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped, so that no string can
 * close the script element or start a comment; the script sets it as text.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, safeJson } from '../alerts/sanitize.ts';
import type { ReportModel } from './model.ts';

/** The page's script and style, inlined as they are. */
export interface ReportAssets {
  readonly script: string;
  readonly style: string;
}

/** Alerts listed as table rows under the timeline (every alert has its marker). */
export const MAX_ALERT_ROWS = 1_000;

/** Element id of the JSON data block the script reads. */
export const DATA_ELEMENT_ID = 'report-data';

/** Text made safe for HTML element content and quoted attribute values (src/alerts/sanitize.ts). */
export { escapeHtml };

/**
 * `value` as JSON that can sit inside `<script type="application/json">`:
 * `<`, `>` and `&` as \u escapes (no `</script>`, no `<!--`), and the
 * line and paragraph separators, C1, bidi and zero-width characters as well.
 */
export function jsonForScript(value: unknown): string {
  return safeJson(value, { forHtml: true });
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function isoTime(time: number): string {
  return new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A `<time>` the script re-labels in the chosen zone. */
function timeElement(time: number): string {
  return `<time class="t" datetime="${new Date(time).toISOString()}" data-t="${time}">${isoTime(time)}</time>`;
}

function summaryHtml(model: ReportModel): string {
  const { summary } = model;
  const rules =
    summary.alertsByRule.length === 0
      ? '<tr><td colspan="3">none</td></tr>'
      : summary.alertsByRule
          .map(
            (row) =>
              `<tr><td><code>${escapeHtml(row.rule)}</code></td><td class="n">${count(row.opened)}</td><td class="n">${count(row.resolved)}</td></tr>`,
          )
          .join('');
  const categories =
    summary.eventsByCategory.length === 0
      ? '<tr><td colspan="3">none</td></tr>'
      : summary.eventsByCategory
          .map(
            (row) =>
              `<tr><td>${escapeHtml(row.source)}</td><td><code>${escapeHtml(row.category)}</code></td><td class="n">${count(row.count)}</td></tr>`,
          )
          .join('');
  const held = summary.suppressed;
  const counts: [string, number, string][] = [
    ['Lines read', summary.events, ''],
    ['Unclassified', summary.unclassified, 'lines no catalog row knows: kept and counted'],
    ['Malformed', summary.malformed, 'lines that are not a valid record of their source'],
    ['Duplicates', summary.duplicates, 'events already processed (redelivered or logged twice)'],
    ['Too late', summary.late, 'past the lateness bound: counted, not judged by the rules'],
    ['Without a time', summary.untimed, 'counted, not drawn on the timeline'],
    ['Held back: cooldown', held.cooldown, ''],
    ['Held back: folded into an open incident', held.folded, ''],
    ['Held back: already raised', held.dedup, ''],
  ];
  return `<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="counts">${counts
    .map(
      ([label, n, note]) =>
        `<div${n > 0 && (label === 'Unclassified' || label === 'Malformed') ? ' class="notable"' : ''}><dt>${escapeHtml(label)}</dt><dd data-count="${escapeHtml(label)}">${count(n)}</dd>${note === '' ? '' : `<dd class="note">${escapeHtml(note)}</dd>`}</div>`,
    )
    .join('')}</dl>
<div class="tables">
<table class="rules"><caption>Alerts by rule</caption><thead><tr><th>rule</th><th class="n">opened</th><th class="n">resolved</th></tr></thead><tbody>${rules}</tbody></table>
<table class="categories"><caption>Events by category</caption><thead><tr><th>source</th><th>category</th><th class="n">events</th></tr></thead><tbody>${categories}</tbody></table>
</div>
</section>`;
}

function alertTableHtml(model: ReportModel): string {
  if (model.alerts.length === 0) {
    return '<section id="alert-list"><h2>Alerts</h2><p>No alerts: nothing in these logs would have reached on-call.</p></section>';
  }
  const shown = model.alerts.slice(0, MAX_ALERT_ROWS);
  const rows = shown
    .map(
      (alert) =>
        `<tr class="sev-${escapeHtml(alert.severity)} st-${escapeHtml(alert.status)}"><td>${timeElement(alert.time)}</td><td>${escapeHtml(alert.status)}</td><td>${escapeHtml(alert.severity)}</td><td><code>${escapeHtml(alert.rule)}</code></td><td>${escapeHtml(alert.subject)}</td><td><button type="button" class="show" data-alert-ref="${escapeHtml(alert.id)}">show</button></td></tr>`,
    )
    .join('\n');
  return `<section id="alert-list" aria-labelledby="alert-list-title">
<h2 id="alert-list-title">Alerts (${count(model.alerts.length)})</h2>${
    shown.length < model.alerts.length
      ? `<p>The first ${count(shown.length)} are listed; all ${count(model.alerts.length)} have a marker on the timeline, and <code>tunnelwatch replay --json</code> prints them all.</p>`
      : ''
  }
<table><thead><tr><th>time</th><th>status</th><th>severity</th><th>rule</th><th>subject</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
}

/** The whole page. */
export function renderReport(model: ReportModel, assets: ReportAssets): string {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256Source(assets.script)}`,
    `style-src ${sha256Source(assets.style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; '); // constants and base64 hashes: nothing to escape
  const range =
    model.range === null
      ? 'no timed events'
      : `${timeElement(model.range.start)} – ${timeElement(model.range.end)}`;
  const inputs = model.inputs.slice(0, 12).map(escapeHtml).join(', ');
  const moreInputs = model.inputs.length > 12 ? ` and ${count(model.inputs.length - 12)} more` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="tunnelwatch report">
<title>${escapeHtml(model.title)}</title>
<style>${assets.style}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(model.title)}</h1>
<p class="meta"><span>${range}</span> · <span>${count(model.summary.events)} lines</span> · <span>${count(model.alerts.length)} alerts</span> · <span title="${inputs}${moreInputs}">${count(model.inputs.length)} input${model.inputs.length === 1 ? '' : 's'}</span> · <span>logs read in ${escapeHtml(model.logTimeZone)}</span> · <span>made ${timeElement(model.generatedAt)}</span></p>
</header>
<main>
<section id="timeline" aria-label="Timeline"><noscript><p>The timeline needs JavaScript; the summary and the alert list below are plain HTML.</p></noscript></section>
${alertTableHtml(model)}
${summaryHtml(model)}
</main>
<div id="tooltip" role="tooltip" hidden></div>
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(model)}</script>
<script>${assets.script}</script>
</body>
</html>
`;
}
