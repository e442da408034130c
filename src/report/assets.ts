/**
 * The page's script and style (src/report/client/), read from disk next to
 * this module: the one place in src/report that does I/O, kept apart so that
 * building and rendering the report stay pure.
 */
import { readFile } from 'node:fs/promises';
import type { ReportAssets } from './render.ts';

let cached: Promise<ReportAssets> | undefined;

/** The timeline script and style, read once per process. */
export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= Promise.all([
    readFile(new URL('./client/timeline.js', import.meta.url), 'utf8'),
    readFile(new URL('./client/timeline.css', import.meta.url), 'utf8'),
  ]).then(([script, style]) => ({ script, style }));
  return cached;
}
