import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { analyzed, JAVA_EMPTY_CERT } from './helpers.js';

describe('terminal escapes from the capture', () => {
  it('are shown as \\xNN in text and markdown, never passed to the terminal', async () => {
    const real = await analyzed(JAVA_EMPTY_CERT);
    const copy = structuredClone(real);
    const c = copy.connections[0]!;
    c.sni = '\x1b[2J\x1b]0;owned\x07api.example.com\r';
    c.timeline[0]!.summary = 'GET /\x1b[31mred HTTP/1.1';
    c.findings[0]!.evidence.fields['acceptable_ca_names'] = ['CN=\x9b1m'];
    const text = renderText(copy, { all: true, color: false });
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('SNI \\x1b[2J\\x1b]0;owned\\x07api.example.com\\x0d');
    expect(text).toContain('GET /\\x1b[31mred');
    expect(text).toContain('CN=\\x9b1m');
    const md = renderMarkdown(copy, { all: true, limit: 20 });
    expect(md).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    // Colour codes of our own still work around the cleaned text.
    expect(renderText(copy, { all: true, color: true })).toContain('\x1b[31m');
  });
});
