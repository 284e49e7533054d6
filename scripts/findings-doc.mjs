// Writes docs/findings.md from the findings catalog (src/rules/catalog.ts, compiled to dist/ by `npm run build`).
// `--check` only compares and exits 1 when the file is out of date.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT as root } from './corpus.mjs';

const { renderCatalogMarkdown } = await import(join(root, 'dist', 'rules', 'catalog.js'));
const target = join(root, 'docs', 'findings.md');
const rendered = renderCatalogMarkdown();
const current = existsSync(target) ? readFileSync(target, 'utf8') : null;
if (process.argv.includes('--check')) {
  if (current !== rendered) {
    console.error('docs/findings.md is out of date: run npm run docs:findings');
    process.exit(1);
  }
  console.log('docs/findings.md is up to date');
} else if (current === rendered) {
  console.log('docs/findings.md unchanged');
} else {
  writeFileSync(target, rendered);
  console.log('wrote docs/findings.md');
}
