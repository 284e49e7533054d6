import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { analyzed, HOSTILE, JAVA_EMPTY_CERT, NGINX_TLS13, withHostileStrings } from './helpers.js';

describe('renderHtml', () => {
  it('is one self-contained page: inline CSS and SVG, no script, nothing fetched', async () => {
    const html = renderHtml(await analyzed(JAVA_EMPTY_CERT), { all: false, limit: 20 });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\((?!#)/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<section class="connection"/g)).toHaveLength(1);
    expect(html.match(/<svg class="ladder"/g)).toHaveLength(1);
  });

  it('draws one arrow per timeline event and marks the alert that ended the handshake', async () => {
    const result = await analyzed(JAVA_EMPTY_CERT);
    const c = result.connections[0]!;
    const html = renderHtml(result, { all: false, limit: 20 });
    const svg = html.slice(html.indexOf('<svg class="ladder"'), html.indexOf('</svg>'));
    expect(svg.match(/<line x1="\d+" y1="(\d+)" x2="\d+" y2="\1"/g)).toHaveLength(c.timeline.length);
    const alert = c.alerts.find((a) => a.level === 'fatal')!;
    // The highlighted row holds the alert's frame number, drawn in red.
    const red = svg.slice(svg.indexOf('<rect'));
    expect(red).toMatch(new RegExp(`^<rect[^>]*/>\\n<text[^>]*>\\s*${alert.frame} `));
    expect(red).toContain(`fatal ${alert.description}`);
    expect(svg.match(/<rect /g)).toHaveLength(1);
  });

  it('shows the decrypted TLS 1.3 client certificate of the key log capture', async () => {
    const html = renderHtml(await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`), { all: false, limit: 20 });
    expect(html).toContain('client-cert-issuer-not-accepted');
    expect(html).toContain('CN=tlsdiag Test Client from Other Root,O=Other Org');
    expect(html).toContain('decrypted with the key log');
  });

  it('escapes every string that came from the capture', async () => {
    const html = renderHtml(withHostileStrings(await analyzed(JAVA_EMPTY_CERT)), { all: false, limit: 20 });
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});

describe('a real capture with HTML in its names (test/report/fixtures/make-hostile-capture.sh)', () => {
  it('shows SNI, subject and SAN as text', async () => {
    const result = await analyzed('test/report/fixtures/hostile-names.pcap');
    const c = result.connections[0]!;
    // The premise: openssl really sent these names.
    expect(c.sni).toBe('<script>alert(1)</script>.example');
    expect(c.serverCertificates![0]!.subject).toBe('O=\\<img src=x onerror=alert(3)\\>,CN=\\<script\\>alert(2)\\</script\\>');
    expect(c.serverCertificates![0]!.subjectAltNames).toEqual(['DNS:<b>bold</b>.example']);
    const html = renderHtml(result, { all: true, limit: 20 });
    expect(html).not.toMatch(/<script|<img|<b>bold/i);
    expect(html).toContain('SNI &lt;script&gt;alert(1)&lt;/script&gt;.example');
    expect(html).toContain('DNS:&lt;b&gt;bold&lt;/b&gt;.example');
  });
});
