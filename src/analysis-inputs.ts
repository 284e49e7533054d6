import { existsSync } from 'node:fs';
import { FileTooLargeError, readBoundedFile } from './bounded-file.js';
import type { AnalysisWarning } from './model/types.js';
import { KeyLog, loadServerKeys, PskError, PskSet, ServerKeyError, ServerKeyRing, type KeyExchangeSecrets, type KeyLogWarning } from './tls/decrypt/index.js';
import type { DecodedCrl } from './x509/crl.js';
import { loadCertificates, loadCrls } from './x509/index.js';
import { mozillaTrustStore, systemTrustStore, SYSTEM_TRUST_PATHS, TrustStore } from './x509/trust-store.js';
import { errorMessage } from './util/errors.js';

/**
 * What the user gives tlsdiag besides the captures: secrets to decrypt with and what the peers trust. Plain data
 * (worker threads receive it as it is); checked once by validateAnalysisInputs, read once per run (per worker
 * thread) by resolveAnalysisInputs. A new input is a field here, its entry in INPUTS, its resolution below and
 * its command-line option.
 */
export interface AnalysisInputs {
  /** SSLKEYLOGFILE-format files. */
  keyLogFiles?: string[];
  /** The server's RSA private keys (--key): PEM, DER or PKCS#12 files. */
  keyFiles?: string[];
  /** Password of encrypted --key files (--key-password, TLSDIAG_KEY_PASSWORD). */
  keyPassword?: string;
  /** TLS 1.2 pre-shared keys in hex, for any identity (--psk). */
  psks?: string[];
  /** Files of `identity hex` lines (--psk-file). */
  pskFiles?: string[];
  /** The server's client-CA bundle(s), PEM/DER files or directories (--ca). */
  clientCaFiles?: string[];
  /** The CA bundle(s) the client trusts (--server-ca); `system` the OS store, `none` no judging. */
  serverCaFiles?: string[];
  /** Client certificates the capture did not carry (--cert). */
  extraClientCertFiles?: string[];
  /** CRLs the server checks client certificates with (--crl: nginx ssl_crl), PEM/DER files or directories. */
  crlFiles?: string[];
  /** CRLs the client checks the server's chain with (--server-crl). */
  serverCrlFiles?: string[];
  /** The server's verify depth (--verify-depth: nginx ssl_verify_depth, OpenSSL 3 meaning). */
  verifyDepth?: number;
}

/** What a value of an input must be. */
type InputKind = 'files' | 'hex' | 'text' | 'count';

export interface InputSpec {
  /** Its command-line option; the CLI's option of that name fills the field. */
  flag: string;
  kind: InputKind;
  /**
   * Its key in an expectation file's `options` (tlsdiag baseline / check), for the inputs the outcomes depend
   * on; with `label`, what check calls a file of it that is gone.
   */
  saved?: string;
  label?: string;
}

/** Every input, with the one name each has outside the code; in the order expectation files list them. */
export const INPUTS = {
  keyLogFiles: { flag: '--keylog', kind: 'files' },
  keyFiles: { flag: '--key', kind: 'files' },
  keyPassword: { flag: '--key-password', kind: 'text' },
  psks: { flag: '--psk', kind: 'hex' },
  pskFiles: { flag: '--psk-file', kind: 'files' },
  clientCaFiles: { flag: '--ca', kind: 'files', saved: 'clientCa', label: 'client CA' },
  serverCaFiles: { flag: '--server-ca', kind: 'files', saved: 'serverCa', label: 'server CA' },
  extraClientCertFiles: { flag: '--cert', kind: 'files', saved: 'cert', label: 'certificate' },
  crlFiles: { flag: '--crl', kind: 'files', saved: 'crl', label: 'CRL' },
  serverCrlFiles: { flag: '--server-crl', kind: 'files', saved: 'serverCrl', label: 'server CRL' },
  verifyDepth: { flag: '--verify-depth', kind: 'count', saved: 'verifyDepth' },
} as const satisfies { [K in keyof Required<AnalysisInputs>]: InputSpec };

export type InputName = keyof typeof INPUTS;

type SavedKey<K extends InputName> = (typeof INPUTS)[K] extends { saved: infer S extends string } ? S : never;

/** The inputs an expectation file records, by their keys there (`clientCa` for --ca …). */
export type SavedInputs = { [K in InputName as SavedKey<K>]?: NonNullable<AnalysisInputs[K]> };

/** The inputs' names, in INPUTS order. */
export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

/** What `value` should have been for an input of this kind, or null when it is one. */
export function inputShapeError(kind: InputKind, value: unknown): string | null {
  switch (kind) {
    case 'files':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : 'an array of file names';
    case 'hex':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : 'an array of hex strings';
    case 'text':
      return typeof value === 'string' ? null : 'a string';
    case 'count':
      return Number.isInteger(value) && (value as number) >= 0 ? null : 'a whole number ≥ 0';
  }
}

/** The inputs among other options (to hand to a worker thread, which cannot receive functions). */
export function pickInputs(options: AnalysisInputs): AnalysisInputs {
  const inputs: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) if (options[name] !== undefined) inputs[name] = options[name];
  return inputs as AnalysisInputs;
}

/** Rejects an input of the wrong shape (a library caller's mistake) before anything is read, naming the field. */
export function validateAnalysisInputs(inputs: AnalysisInputs): void {
  for (const name of INPUT_NAMES) {
    const value = inputs[name];
    if (value === undefined) continue;
    const expected = inputShapeError(INPUTS[name].kind, value);
    if (expected !== null) throw new TypeError(`${name} (${INPUTS[name].flag}): expected ${expected}`);
  }
}

/** What the user told tlsdiag about the peers, beyond the capture, as the rules read it. */
export interface RuleContext {
  /** The server's client-CA bundle (--ca), DER. */
  clientAnchors: Uint8Array[];
  /** What the client trusts (--server-ca files), DER; empty when judged against a default store. */
  serverAnchors: Uint8Array[];
  /**
   * The store server chains are judged against: Node's Mozilla roots when no --server-ca was given, the OS store
   * (--server-ca system), the files given; null: no judging (--server-ca none).
   */
  serverTrust: TrustStore | null;
  /** Client certificates the capture did not carry (--cert), DER. */
  extraClientCertificates: Uint8Array[];
  /** nginx ssl_verify_depth / OpenSSL verify depth (--verify-depth). */
  verifyDepth: number | undefined;
  /** Whether any key log was given (to tell "no keys" from "keys that do not match"). */
  keyLogGiven: boolean;
  /** The CRLs the server checks client certificates with (--crl: nginx ssl_crl); empty: none. */
  clientCrls: readonly DecodedCrl[];
  /** The CRLs the client checks the server's chain with (--server-crl); empty: none. */
  serverCrls: readonly DecodedCrl[];
  /** Whether a server private key (--key) was given: (EC)DHE sessions then say it cannot open them. */
  privateKeyGiven: boolean;
}

/** The inputs read and decoded, once per run: what the per-capture pipeline (src/pipeline.ts) takes. */
export interface ResolvedInputs {
  /** The key logs' secrets; a capture's own secrets (pcapng) are added to it as it is read. */
  keys: KeyLog;
  /** --key and --psk; null when neither was given. */
  exchange: KeyExchangeSecrets | null;
  rules: RuleContext;
}

/** Secrets a caller already holds (tests, the fuzzer), used instead of reading key files. */
export interface LoadedSecrets {
  keys?: KeyLog;
  exchange?: KeyExchangeSecrets | null;
}

/**
 * Reads every file the inputs name and decodes it. A key log, key or PSK file that cannot be read is a warning
 * (pushed to `warnings`); a certificate or CRL file that cannot be read rejects, naming it.
 */
export async function resolveAnalysisInputs(inputs: AnalysisInputs, warnings: AnalysisWarning[], loaded: LoadedSecrets = {}): Promise<ResolvedInputs> {
  const keys = loaded.keys ?? new KeyLog();
  for (const file of inputs.keyLogFiles ?? []) {
    try {
      pushKeyLogWarnings(warnings, file, await keys.addFile(file));
    } catch (e) {
      warnings.push({ file, code: 'keylog-unreadable', message: `cannot read the key log: ${errorMessage(e)}` });
    }
  }
  const serverCaFiles = (inputs.serverCaFiles ?? []).filter((f) => f !== 'system' && f !== 'none');
  const serverAnchors = serverCaFiles.flatMap((f) => loadCertificates(f));
  const exchange = loaded.exchange !== undefined ? loaded.exchange : loadKeyExchangeSecrets(inputs, warnings);
  const rules: RuleContext = {
    clientAnchors: (inputs.clientCaFiles ?? []).flatMap((f) => loadCertificates(f)),
    serverAnchors,
    serverTrust: serverTrustFor(inputs.serverCaFiles ?? [], serverAnchors),
    extraClientCertificates: (inputs.extraClientCertFiles ?? []).flatMap((f) => loadCertificates(f)),
    verifyDepth: inputs.verifyDepth,
    keyLogGiven: keys.size > 0,
    clientCrls: (inputs.crlFiles ?? []).flatMap((f) => loadCrls(f).crls),
    serverCrls: (inputs.serverCrlFiles ?? []).flatMap((f) => loadCrls(f).crls),
    privateKeyGiven: exchange !== null && exchange.serverKeys.size > 0,
  };
  return { keys, exchange, rules };
}

/** Key log warnings as the run's warnings: each names its file (or pcapng block) and line. */
export function pushKeyLogWarnings(warnings: AnalysisWarning[], file: string, found: KeyLogWarning[]): void {
  for (const w of found) {
    const where = w.line > 0 ? `line ${w.line}: ` : '';
    warnings.push({ file: w.source ?? file, code: 'keylog-line', message: `${where}${w.message}` });
  }
}

/** --key and --psk: read once per run; a file that gives no key is a warning naming it (never its content). */
function loadKeyExchangeSecrets(inputs: AnalysisInputs, warnings: AnalysisWarning[]): KeyExchangeSecrets | null {
  const keyFiles = inputs.keyFiles ?? [];
  if (keyFiles.length === 0 && (inputs.psks ?? []).length === 0 && (inputs.pskFiles ?? []).length === 0) return null;
  const serverKeys = new ServerKeyRing();
  for (const file of keyFiles) {
    try {
      serverKeys.add(loadServerKeys(readBoundedFile(file), file, inputs.keyPassword));
    } catch (e) {
      const message =
        e instanceof ServerKeyError || e instanceof FileTooLargeError ? e.message : `${file}: cannot read the key file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
      warnings.push({ file, code: 'key-unreadable', message });
    }
  }
  const psks = new PskSet();
  (inputs.psks ?? []).forEach((hex, i) => addPsk(warnings, () => psks.add(hex, null, `--psk #${i + 1}`)));
  for (const file of inputs.pskFiles ?? []) {
    let text: string;
    try {
      text = readBoundedFile(file).toString('utf8');
    } catch (e) {
      const reason = e instanceof FileTooLargeError ? e.message : ((e as NodeJS.ErrnoException).code ?? 'error');
      warnings.push({ file, code: 'psk-unreadable', message: `cannot read the PSK file: ${reason}` });
      continue;
    }
    addPsk(warnings, () => psks.addFile(text, file));
  }
  return { serverKeys, psks };
}

function addPsk(warnings: AnalysisWarning[], add: () => void): void {
  try {
    add();
  } catch (e) {
    if (!(e instanceof PskError)) throw e;
    warnings.push({ file: '', code: 'psk-unreadable', message: e.message });
  }
}

/**
 * What server chains are judged against (--server-ca): Node's Mozilla roots when nothing is given, `system` the
 * OS store, `none` no judging, files the anchors they hold (with `system`, both).
 */
function serverTrustFor(serverCa: readonly string[], anchors: Uint8Array[]): TrustStore | null {
  if (serverCa.includes('none')) return null;
  const system = serverCa.includes('system');
  if (anchors.length === 0) return system ? systemTrustStore() : mozillaTrustStore();
  const systemPath = system ? SYSTEM_TRUST_PATHS.find((p) => existsSync(p)) : undefined;
  return new TrustStore('given', systemPath ? [...anchors, ...loadCertificates(systemPath)] : anchors);
}
