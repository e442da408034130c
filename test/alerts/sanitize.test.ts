/**
 * The escaping functions of src/alerts/sanitize.ts, one `describe` per
 * output: for any text, nothing dangerous survives, and what was there is
 * still visible (escaped) or given back exactly (JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeKey,
  escapeMarkdown,
  hasUnsafeCharacter,
  logValueReplacer,
  MARKDOWN_ACTIVE,
  safeJson,
  sanitizeLine,
  toAscii,
  visibleText,
} from '../../src/alerts/sanitize.ts';

/** The characters no output may carry raw (docs/output-safety.md). */
const DANGEROUS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Any text, lone surrogates included, with the dangerous characters made likely. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '\u202e',
          '\u009b',
          '\u001b[31m',
          '\u2028',
          '\u200b',
          '\ufeff',
          '\ud800',
          '\\',
          '\\u{202E}',
          '*',
          '[x](http://evil)',
          '<!channel>',
          '@here',
          '&lt;',
          '\t',
          '\r\n',
        ),
        fc.string({ maxLength: 5 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join('')),
);

/** Inverse of `escapeKey`, for the round-trip property. */
function unescapeKey(key: string): string {
  return key.replace(/\\\\|\\u\{([0-9A-F]+)\}/g, (_match, hex: string | undefined) =>
    hex === undefined ? '\\' : String.fromCodePoint(Number.parseInt(hex, 16)),
  );
}

describe('sanitizeLine (terminal and email text)', () => {
  it('shows escapes, overrides and invisible characters as \\u{…} and breaks as spaces', () => {
    expect(sanitizeLine('admin\u202egnp.exe')).toBe('admin\\u{202E}gnp.exe');
    expect(sanitizeLine('\u009b31m')).toBe('\\u{9B}31m');
    expect(sanitizeLine('\u001b[2Jred\u0007')).toBe('\\u{1B}[2Jred\\u{7}');
    expect(sanitizeLine('a\tb\r\nc\u2028d\u0085e')).toBe('a b  c d e');
    expect(sanitizeLine('zero\u200bwidth\ufeff')).toBe('zero\\u{200B}width\\u{FEFF}');
    expect(sanitizeLine('lone \ud800 surrogate')).toBe('lone \\u{D800} surrogate');
    expect(sanitizeLine('user "bob" 203.0.113.5 ok   ')).toBe('user "bob" 203.0.113.5 ok');
  });

  it('bounds the line and says how much was cut', () => {
    expect(sanitizeLine('x'.repeat(50), 10)).toBe('xxxxxxxxxx... [40 more characters]');
  });

  it('never lets a dangerous character through, whatever the text (property)', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 300 }), (text, max) => {
        const line = sanitizeLine(text, max);
        expect(line).not.toMatch(DANGEROUS);
        expect(hasUnsafeCharacter(line)).toBe(false);
      }),
    );
  });

  it('leaves text without dangerous characters as it was (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (text) => {
        fc.pre(!DANGEROUS.test(text));
        expect(sanitizeLine(text, Number.POSITIVE_INFINITY)).toBe(text.trimEnd());
      }),
    );
  });
});

describe('toAscii (SNS subject and attributes)', () => {
  it('is printable ASCII on one line, whatever the text (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(toAscii(text)).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });

  it('keeps a right-to-left override visible', () => {
    expect(toAscii('admin\u202egnp.exe')).toBe('admin\\u{202E}gnp.exe');
  });
});

describe('escapeKey (alert keys)', () => {
  it('escapes the backslash and every invisible character, and nothing else', () => {
    expect(escapeKey('openvpn:user:alice')).toBe('openvpn:user:alice');
    expect(escapeKey('openvpn:user:admin\u202egnp.exe')).toBe('openvpn:user:admin\\u{202E}gnp.exe');
    expect(escapeKey('openvpn:user:DOMAIN\\bob')).toBe('openvpn:user:DOMAIN\\\\bob');
    expect(escapeKey('a\nb')).toBe('a\\u{A}b');
  });

  it('keeps two different names apart: a literal "\\u{202E}" is not the override', () => {
    expect(escapeKey('x\\u{202E}')).not.toBe(escapeKey('x\u202e'));
  });

  it('holds no dangerous character and is one-to-one (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const key = escapeKey(text);
        expect(key).not.toMatch(DANGEROUS);
        expect(unescapeKey(key)).toBe(text);
      }),
    );
  });
});

describe('safeJson (every JSON the CLI prints)', () => {
  it('writes C1, bidi, zero-width and separator characters as \\u escapes', () => {
    expect(safeJson({ user: 'a\u202eb\u009bc\u2028d\u200be\u007f' })).toBe(
      '{"user":"a\\u202eb\\u009bc\\u2028d\\u200be\\u007f"}',
    );
    expect(safeJson([1, 'x'], { space: 2 })).toBe('[\n  1,\n  "x"\n]');
  });

  it('parses back to the same value and holds no raw dangerous character (property)', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (value, key) => {
        const json = safeJson({ [key]: value, list: [value] });
        expect(json).not.toMatch(DANGEROUS);
        expect(JSON.parse(json)).toEqual({ [key]: value, list: [value] });
      }),
    );
  });

  it('with forHtml, cannot close a script element or open a comment (property)', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const json = safeJson({ value: `</script><!--${value}` }, { forHtml: true });
        expect(json).not.toMatch(/[<>&]/);
        expect(JSON.parse(json)).toEqual({ value: `</script><!--${value}` });
      }),
    );
  });
});

/** What a CommonMark reader shows for escaped text: backslash escapes and the three entities undone. */
function shownByCommonMark(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])|&(amp|lt|gt);/g, (_m, char: string, entity) =>
    char !== undefined ? char : ({ amp: '&', lt: '<', gt: '>' } as const)[entity as 'amp'],
  );
}

describe('escapeMarkdown (chat)', () => {
  it('turns markup, links, HTML and mentions into inert text', () => {
    expect(escapeMarkdown('**[click](http://evil)** <b>x</b> @here <!channel> <@U123>')).toBe(
      '\\*\\*\\[click\\]\\(http://evil\\)\\*\\* &lt;b&gt;x&lt;/b&gt; \\@here &lt;\\!channel&gt; &lt;\\@U123&gt;',
    );
    expect(escapeMarkdown('`code` _em_ ~del~ # h | t \\')).toBe(
      '\\`code\\` \\_em\\_ \\~del\\~ \\# h \\| t \\\\',
    );
    expect(escapeMarkdown('admin\u202egnp.exe')).toBe('admin\\\\u{202E}gnp.exe');
  });

  it('leaves no active character unescaped, and a CommonMark reader shows the text (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const markdown = escapeMarkdown(text, 500);
        expect(markdown).not.toMatch(DANGEROUS);
        expect(markdown).not.toMatch(/\n/);
        // Take away every escape pair and entity: no markup character is left.
        const bare = markdown.replace(/\\[\s\S]|&(amp|lt|gt);/g, '');
        expect(bare).not.toMatch(MARKDOWN_ACTIVE);
        expect(shownByCommonMark(markdown)).toBe(sanitizeLine(text, 500));
      }),
    );
  });
});

describe('escapeHtml (report)', () => {
  it('escapes the five HTML characters and gives the text back when decoded (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const html = escapeHtml(text);
        expect(html).not.toMatch(/[<>"']/);
        expect(html.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        const decoded = html.replace(
          /&(amp|lt|gt|quot|#39);/g,
          (_m, name: string) =>
            ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] as string,
        );
        expect(decoded).toBe(text);
      }),
    );
  });
});

describe('logValueReplacer (the alert function’s logs)', () => {
  it('makes every string of a record visible and leaves other values alone', () => {
    const record = { logStream: 'gw\u202e1', n: 3, nested: { detail: '"\u009b31m"' } };
    const json = JSON.stringify(record, logValueReplacer);
    expect(json).not.toMatch(DANGEROUS);
    expect(JSON.parse(json)).toEqual({
      logStream: 'gw\\u{202E}1',
      n: 3,
      nested: { detail: '"\\u{9B}31m"' },
    });
    expect(visibleText('a\nb')).toBe('a\\u{A}b');
  });
});
