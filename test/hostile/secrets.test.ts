import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { runCli } from '../cli/run.js';
import { requireTool } from '../tools.js';
import { REPO_ROOT as REPO } from '../repo.js';

const work = mkdtempSync(join(tmpdir(), 'tlsdiag-secrets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The secret (third field) of every key log line, and the first 16 hex digits of it (a partial leak). */
function secretsOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3 && !fields[0]!.startsWith('#'))
    .map((fields) => fields[2]!.toLowerCase());
}

function expectNoSecret(where: string, output: string, secrets: string[]): void {
  const lower = output.toLowerCase();
  // Hex may also be printed spaced or with colons: compare with separators removed.
  const packed = lower.replace(/[\s:]/g, '');
  for (const secret of secrets) {
    expect(lower.includes(secret.slice(0, 16)), `${where} shows a secret`).toBe(false);
    expect(packed.includes(secret.slice(0, 16)), `${where} shows a secret (separated hex)`).toBe(false);
    expect(output.includes(Buffer.from(secret, 'hex').toString('base64').slice(0, 12)), `${where} shows a secret in base64`).toBe(false);
  }
}

const OUTPUTS: string[][] = [['--all'], ['--all', '--json'], ['--all', '--format', 'markdown'], ['--all', '--format', 'html'], ['--all', '--redact', '--json']];

const HAS_EDITCAP = requireTool('editcap', 'the pcapng inputs of the secrets test');

const CASES = ['nginx-tls13-valid-client-cert', 'nginx-tls12-valid-client-cert', 's-server-tls13-other-root-client-cert'];

describe('no key log secret in any output', () => {
  it('the check itself catches a secret however it is printed', () => {
    const secret = 'ed8b21b4155647861e99ee13d1c0c9bcdf670f9e67c69b9d14233c6663b961c877dd6c955ace8cde889e672b9f89ce7d';
    expect(() => expectNoSecret('plain', `x ${secret.toUpperCase()} y`, [secret])).toThrow();
    expect(() => expectNoSecret('colons', secret.match(/../g)!.join(':'), [secret])).toThrow();
    expect(() => expectNoSecret('base64', Buffer.from(secret, 'hex').toString('base64'), [secret])).toThrow();
    expect(() => expectNoSecret('none', 'nothing here', [secret])).not.toThrow();
  });

  for (const name of CASES) {
    const pcap = join(REPO, 'captures/mtls', `${name}.pcap`);
    const keyLog = join(REPO, 'captures/mtls', `${name}.keys.log`);
    const text = readFileSync(keyLog, 'utf8');
    const secrets = secretsOf(text);

    // The same capture as pcap, gzip'd pcap and pcapng (made by editcap, when it is installed).
    const inputs = [pcap, join(work, `${name}.pcap.gz`)];
    writeFileSync(inputs[1]!, gzipSync(readFileSync(pcap)));
    if (HAS_EDITCAP) {
      inputs.push(join(work, `${name}.pcapng`));
      execFileSync('editcap', ['-F', 'pcapng', pcap, inputs[2]!]);
    }

    it(`${name}: decrypts, and no output format of any capture format shows a secret`, async () => {
      expect(secrets.length).toBeGreaterThan(0);
      for (const input of inputs) {
        for (const args of OUTPUTS) {
          const run = await runCli(input, '--keylog', keyLog, '--no-color', ...args);
          expect(run.code, `${input} ${args.join(' ')}: ${run.stderr}`).toBeLessThan(2);
          expect(run.stdout.length).toBeGreaterThan(100);
          expectNoSecret(`${input} ${args.join(' ')}`, run.stdout + run.stderr, secrets);
        }
        // The key log was used: without it the same output has no decrypted handshake.
        const withKeys = (await runCli(input, '--keylog', keyLog, '--json', '--all')).stdout;
        const withoutKeys = (await runCli(input, '--json', '--all')).stdout;
        expect(withKeys).toContain('"decrypted": true');
        expect(withoutKeys).not.toContain('"decrypted": true');
      }
      const baseline = join(work, `${name}.baseline.json`);
      await runCli('baseline', pcap, '--keylog', keyLog, '-o', baseline);
      expectNoSecret('baseline', readFileSync(baseline, 'utf8'), secrets);
    });

    it(`${name}: a mangled key log's warnings name lines, never the secrets on them`, async () => {
      // Each real line broken the ways a hand-edited log breaks: an extra field, an odd hex digit, a secret
      // one byte short, a line too long, a non-hex character, and the real line itself twice with a change.
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const mangled = lines.flatMap((line) => {
        const [label, random, secret] = line.trim().split(/\s+/) as [string, string, string];
        return [
          `${label} ${random} ${secret} extra`,
          `${label} ${random} ${secret}0`,
          `${label} ${random} ${secret.slice(0, -2)}`,
          `${label} ${random} ${secret}${'0'.repeat(1100)}`,
          `${label} ${random} ${secret.slice(0, -1)}g`,
          line,
          `${label} ${random} ${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`,
        ];
      });
      const file = join(work, `${name}.mangled.log`);
      writeFileSync(file, `${mangled.join('\n')}\n`);
      const all = [...secrets, ...secretsOf(mangled.join('\n'))];
      for (const args of OUTPUTS) {
        const run = await runCli(pcap, '--keylog', file, '--no-color', ...args);
        expectNoSecret(`mangled ${args.join(' ')}`, run.stdout + run.stderr, all);
      }
      const json = (await runCli(pcap, '--keylog', file, '--json', '--all')).stdout;
      expect(json).toContain('keylog-line');
    });
  }

  it('secrets embedded in a pcapng (Decryption Secrets Block) stay out of every output', async () => {
    const input = join(REPO, 'captures/formats/with-secrets.pcapng');
    const embedded: string[] = [];
    await readCapture(new Uint8Array(readFileSync(input)), {
      frame: () => {},
      secrets: (s) => void embedded.push(...secretsOf(new TextDecoder().decode(s.data))),
    });
    expect(embedded.length).toBeGreaterThan(0);
    for (const args of OUTPUTS) {
      const run = await runCli(input, '--no-color', ...args);
      expectNoSecret(`with-secrets ${args.join(' ')}`, run.stdout + run.stderr, embedded);
    }
  });
});

describe('no private key, PSK, password or derived master secret in any output', () => {
  const keys = join(REPO, 'captures/keys');
  const password = 'tlsdiag-p12';
  const keyPem = readFileSync(join(keys, 'server-rsa.key.pem'), 'utf8');
  const jwk = createPrivateKey(keyPem).export({ format: 'jwk' });
  // The private parts as hex (d, p, q, dp, dq, qi), and lines of the PEM's base64 body.
  const keySecrets = (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((k) => Buffer.from(jwk[k]!, 'base64url').toString('hex'));
  const pemLines = keyPem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));
  const psk = '6b6579732d746c73646961672d70736b2d3031';

  function expectNoKeyMaterial(where: string, output: string, masterSecrets: string[]): void {
    expectNoSecret(where, output, [...keySecrets, ...masterSecrets, psk]);
    for (const line of pemLines) expect(output.includes(line.slice(0, 24)), `${where} shows the PEM`).toBe(false);
    expect(output.includes(password), `${where} shows the password`).toBe(false);
  }

  it('--key (PEM, encrypted PEM, PKCS#12) and --psk: decrypted, no output shows what decrypted it', async () => {
    const cases: Array<[string, string[]]> = [
      ['rsa-tls12-aes128-sha-s-client', ['--key', join(keys, 'server-rsa.key.pem')]],
      ['rsa-tls12-renegotiation-client-cert', ['--key', join(keys, 'server-rsa.enc.key.pem'), '--key-password', password]],
      ['rsa-tls10-aes128-sha-java', ['--key', join(keys, 'server-rsa-legacy.p12'), '--key-password', password]],
      ['psk-tls12-s-client', ['--psk', psk]],
    ];
    for (const [name, args] of cases) {
      const input = join(keys, `${name}.pcap`);
      // The master secrets the key derives are the key log's (the tests of test/tls/decrypt/private-key.test.ts show the same sessions open).
      const masterSecrets = secretsOf(readFileSync(join(keys, `${name}.keys.log`), 'utf8'));
      for (const out of OUTPUTS) {
        const run = await runCli(input, ...args, '--no-color', ...out);
        expect(run.code, `${name} ${out.join(' ')}: ${run.stderr}`).toBeLessThan(2);
        expectNoKeyMaterial(`${name} ${out.join(' ')}`, run.stdout + run.stderr, masterSecrets);
      }
      expect((await runCli(input, ...args, '--json', '--all')).stdout).toContain('"decrypted": true');
    }
  });

  it('key files that do not open, and bad --psk values, are named in warnings without their content', async () => {
    const input = join(keys, 'rsa-tls12-aes128-sha-s-client.pcap');
    const notAKey = join(work, 'not-a-key.pem');
    writeFileSync(notAKey, `-----BEGIN PRIVATE KEY-----\n${pemLines.slice(0, 3).join('\n')}\n-----END PRIVATE KEY-----\n`);
    const runs = [
      await runCli(input, '--key', join(keys, 'server-rsa.p12'), '--key-password', 'wrong-password-1234', '--json', '--all'),
      await runCli(input, '--key', join(keys, 'server-rsa.enc.key.pem'), '--json', '--all'),
      await runCli(input, '--key', notAKey, '--json', '--all'),
      await runCli(input, '--key', join(keys, 'unrelated-rsa.key.pem'), '--all'),
      await runCli(input, '--psk', `${psk}z`, '--json'),
    ];
    for (const run of runs) {
      expectNoKeyMaterial('warning', run.stdout + run.stderr, []);
      expect(run.stdout + run.stderr).not.toContain('wrong-password-1234');
    }
    expect(runs[0]!.stdout).toContain('key-unreadable');
    expect(runs[2]!.stdout).toContain('not-a-key.pem');
  });
});
