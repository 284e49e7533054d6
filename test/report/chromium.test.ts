// Renders the HTML report in headless Chromium (Debian's `chromium` package) and checks what a reader would see:
// a page that is not blank, the red highlight of the failing step, no console errors, the sections and SVG
// ladders in the rendered DOM. Skips with one line (test/tools.ts) when chromium is not on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { analyzed, JAVA_EMPTY_CERT, NGINX_TLS13, withHostileStrings } from './helpers.js';
import { decodePng } from './png.js';
import { tempDir } from '../temp-dir.js';
import { requireTool, toolPath } from '../tools.js';

const present = requireTool('chromium', 'the Chromium rendering test');
const CHROMIUM = toolPath('chromium') ?? 'chromium';

function chromium(page: string, ...extra: string[]): { stdout: string; stderr: string } {
  const profile = tempDir('tlsdiag-chromium-');
  const run = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      ...extra,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
  if (run.error) throw run.error;
  return { stdout: run.stdout, stderr: run.stderr };
}

/** Rows holding a red horizontal run 600–760 px long: the ladder's failing arrow, not a box border. */
function redArrowRows(image: ReturnType<typeof decodePng>): number {
  let rows = 0;
  for (let y = 0; y < image.height; y++) {
    let run = 0;
    let longest = 0;
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      const isRed = image.pixels[i]! > 170 && image.pixels[i + 1]! < 90 && image.pixels[i + 2]! < 90;
      run = isRed ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    if (longest >= 600 && longest <= 760) rows++;
  }
  return rows;
}

describe.skipIf(!present)('the HTML report in Chromium', () => {
  it('renders the two example captures: not blank, failing step in red, no console errors', async () => {
    const dir = tempDir('tlsdiag-html-');
    const java = await analyzed(JAVA_EMPTY_CERT);
    const tls13 = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const both = { ...java, files: [...java.files, ...tls13.files], connections: [...java.connections, ...tls13.connections] };
    const page = join(dir, 'report.html');
    writeFileSync(page, renderHtml(withHostileStrings(both), { all: true, limit: 20 }));
    const png = join(process.env['TLSDIAG_SHOT_DIR'] ?? dir, 'shot.png');

    const shot = chromium(page, `--screenshot=${png}`, '--window-size=1200,2000');
    expect(existsSync(png)).toBe(true);
    const image = decodePng(readFileSync(png));
    expect([image.width, image.height]).toEqual([1200, 2000]);
    let ink = 0;
    for (let i = 0; i < image.pixels.length; i += 4) {
      if (image.pixels[i]! < 240 || image.pixels[i + 1]! < 240 || image.pixels[i + 2]! < 240) ink++;
    }
    expect(ink / (image.width * image.height)).toBeGreaterThan(0.03);
    // The failing step's arrow: a red (#cf222e) horizontal run as long as the space between the two columns
    // (700 px in the SVG), in the first connection's ladder (the window shows at least that one).
    expect(redArrowRows(image)).toBeGreaterThanOrEqual(2);
    // Console messages (CONSOLE), CSP refusals (a fetch or script would be one), uncaught errors.
    expect(shot.stderr).not.toMatch(/CONSOLE|Refused to|Uncaught|SyntaxError/);

    const dom = chromium(page, '--dump-dom').stdout;
    expect(dom.match(/<section class="connection"/g)).toHaveLength(2);
    expect(dom.match(/<svg class="ladder"/g)).toHaveLength(2);
    // The hostile names arrived as text: no script or img element was created from them.
    expect(dom).not.toMatch(/<script|<img/i);
    expect(dom).toContain('&lt;script&gt;alert("x")&lt;/script&gt;');
  }, 180_000);
});
