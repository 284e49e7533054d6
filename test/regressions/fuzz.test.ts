import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/model/report.js';
import { runPipeline } from '../hostile/pipeline.js';

/** Every input that ever made the fuzzer (npm run fuzz) crash or hang, named after what it broke. */
const DIR = join(import.meta.dirname, 'fuzz');
const inputs = readdirSync(DIR).filter((f) => f.endsWith('.bin')).sort();

describe('fuzzer regressions: the whole pipeline returns a result', () => {
  it('has inputs', () => expect(inputs.length).toBeGreaterThan(0));
  for (const name of inputs) {
    it(name, async () => {
      const started = performance.now();
      const result = await runPipeline(new Uint8Array(readFileSync(join(DIR, name))));
      expect(performance.now() - started).toBeLessThan(5000);
      const parsed = JSON.parse(result.json) as { connections: unknown[] };
      expect(parsed.connections.length).toBe(result.connections.length);
      expect(result.text.length).toBeGreaterThan(0);
    });
  }
});

describe('pcapng-timestamp-beyond-date-range', () => {
  it('a time Date cannot hold is shown as out of range, not thrown', () => {
    expect(isoTime(2 ** 60)).toBe(`out-of-range(${2 ** 60} s)`);
    expect(isoTime(1_700_000_000.25)).toBe('2023-11-14T22:13:20.250000Z');
  });

  it('the fuzzer input yields a connection whose time is out of range', async () => {
    const result = await runPipeline(new Uint8Array(readFileSync(join(DIR, 'pcapng-timestamp-beyond-date-range.bin'))));
    expect(result.json).toContain('out-of-range(');
  });
});
