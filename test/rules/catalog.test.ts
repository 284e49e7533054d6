import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG, renderCatalogMarkdown } from '../../src/rules/catalog.js';
import { FALLBACK_RULE, POST_HANDSHAKE_FALLBACK_RULE, RULES } from '../../src/rules/registry.js';
import { repoPath } from '../repo.js';

describe('findings catalog', () => {
  const produced = new Set([...RULES, FALLBACK_RULE, POST_HANDSHAKE_FALLBACK_RULE].flatMap((r) => r.produces));
  const catalogued = new Set(CATALOG.map((e) => e.id));

  it('has one entry per id, each complete', () => {
    expect(catalogued.size).toBe(CATALOG.length);
    for (const e of CATALOG) {
      expect(e.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(e.severity);
      for (const text of [e.title, e.meaning, e.evidence, e.remedy]) expect(text.length, `${e.id}`).toBeGreaterThan(10);
    }
  });

  it('names every id a rule produces', () => {
    expect([...produced].filter((id) => !catalogued.has(id))).toEqual([]);
  });

  it('holds no id that no rule produces', () => {
    expect([...catalogued].filter((id) => !produced.has(id))).toEqual([]);
  });

  it('docs/findings.md is the rendered catalog (npm run docs:findings)', () => {
    const doc = readFileSync(repoPath('docs', 'findings.md'), 'utf8');
    expect(doc).toBe(renderCatalogMarkdown());
  });
});
