import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadReportAssets } from '../../src/report/assets.ts';
import { ReportBuilder } from '../../src/report/build.ts';
import { escapeHtml, jsonForScript, renderReport } from '../../src/report/render.ts';

const EMPTY_RESULT = {
  alerts: [],
  events: 0,
  byCategory: {},
  unclassified: 0,
  malformed: 0,
  suppressed: { cooldown: 0, dedup: 0, folded: 0 },
  duplicates: 0,
  conflicts: 0,
  late: 0,
};

function model(title: string) {
  return new ReportBuilder().finish(EMPTY_RESULT, {
    title,
    inputs: ['a<b>.log'],
    logTimeZone: 'UTC',
    generatedAt: 0,
  });
}

describe('jsonForScript', () => {
  it('cannot close the script element, open a comment or break a line', () => {
    const text = jsonForScript({ user: '</script><!-- \u2028\u2029 & >' });
    expect(text).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(text)).toEqual({ user: '</script><!-- \u2028\u2029 & >' });
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('renderReport', () => {
  it('allows exactly its own script and style by hash, and nothing from anywhere', async () => {
    const assets = await loadReportAssets();
    const html = renderReport(model('t'), assets);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash(assets.script)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(assets.style)}'`);
    expect(html).toContain(`<script>${assets.script}</script>`);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]*\bsrc=/i);
    expect(html).not.toMatch(/\b(href|src|action)="?https?:/i);
  });

  it('escapes the title and the input names', () => {
    const html = renderReport(model('<b>x</b>'), { script: '', style: '' });
    expect(html).toContain('<title>&lt;b&gt;x&lt;/b&gt;</title>');
    expect(html).toContain('a&lt;b&gt;.log');
    expect(html).not.toContain('<b>x</b>');
  });
});
