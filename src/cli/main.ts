import { Command, InvalidArgumentError, Option } from 'commander';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readBoundedFile } from '../bounded-file.js';
import { analyzeConnections, type AnalysisSummary, type AnalyzeOptions, type StreamOptions } from '../analyze.js';
import type { AnalysisResult, CertificateSummary, ConnectionReport } from '../model/types.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { Redactor } from '../report/redact.js';
import { CertificateExport } from '../report/export-certs.js';
import { decodeCertificate, loadCertificates } from '../x509/index.js';
import { TextReport } from '../report/text.js';
import { exitCodeFor, reachesThreshold, SEVERITY_THRESHOLDS, type FailOn } from './exit-code.js';
import { JsonDocumentWriter } from './json-writer.js';
import { baseline, checkExpectations, parseExpectations } from './expect.js';
import { parseFilter } from './filter.js';
import { expandInputs } from './inputs.js';
import { chooseWorkerCount } from '../parallel/index.js';
import { ProgressLine, wantsProgress } from './progress.js';

const FORMATS = ['text', 'json', 'markdown', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface AnalysisCliOptions {
  filter: string[];
  keylog: string[];
  key: string[];
  keyPassword?: string;
  psk: string[];
  pskFile: string[];
  ca: string[];
  serverCa: string[];
  cert: string[];
  crl: string[];
  serverCrl: string[];
  verifyDepth?: number;
  quiet?: boolean;
  workers?: number;
}

interface CliOptions extends AnalysisCliOptions {
  json?: boolean;
  format: Format;
  output?: string;
  all?: boolean;
  limit: number;
  redact?: boolean;
  exportCerts?: string;
  /** Set by runReport from --export-certs. */
  certificateExport?: CertificateExport;
  failOn: FailOn;
  color?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A --psk value: hex digits only; the error never repeats the value (it is a secret). */
function collectHex(value: string, previous: string[]): string[] {
  // A plain Error, not commander's InvalidArgumentError, whose message would quote the value.
  if (value.length === 0 || value.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(value)) throw new Error('--psk: expected an even number of hex digits (the value is not shown: it is a secret)');
  return [...previous, value];
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

/** The options that change what analyze() finds, shared by the default command, check and baseline. */
function withAnalysisOptions(command: Command): Command {
  return command
    .option('--filter <term>', 'keep connections matching host=H, port=N, sni=NAME or a bare IP/port/name (repeatable; any term may match)', collect, [])
    .option('--keylog <file>', 'TLS key log (SSLKEYLOGFILE format) to decrypt handshakes (repeatable)', collect, [])
    .option('--key <file>', "the server's RSA private key (PEM, DER or PKCS#12) to decrypt RSA-key-exchange sessions (repeatable)", collect, [])
    .option('--key-password <password>', 'password of an encrypted --key file (or set TLSDIAG_KEY_PASSWORD)')
    .option('--psk <hex>', 'a TLS 1.2 pre-shared key in hex, for any identity (repeatable)', collectHex, [])
    .option('--psk-file <file>', 'pre-shared keys, one "identity hex" (or "hex") a line (repeatable)', collect, [])
    .option('--ca <pem|dir>', "the server's client-CA bundle (nginx ssl_client_certificate) for offline chain checks (repeatable)", collect, [])
    .option('--server-ca <pem|dir|system|none>', "what the client trusts, for judging server chains: a CA bundle (repeatable), 'system' (the OS store) or 'none' (no judging); default: Node's Mozilla root store", collect, [])
    .option('--cert <pem>', 'a client certificate the capture did not carry (e.g. when the client sent none) (repeatable)', collect, [])
    .option('--crl <pem|der|dir>', "the CRLs the server checks client certificates with (nginx ssl_crl); every CA of a client chain needs one (repeatable)", collect, [])
    .option('--server-crl <pem|der|dir>', "the CRLs the client checks the server's chain with (repeatable)", collect, [])
    .option('--verify-depth <n>', "the server's verify depth (nginx ssl_verify_depth; OpenSSL 3 meaning)", nonNegativeInteger)
    .option('-q, --quiet', 'no progress line on standard error')
    .option('--workers <n>', 'threads for several captures (default: one per core when they hold 32 MiB or more; 1: no worker threads)', positiveInteger);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function analyzeOptionsFrom(options: AnalysisCliOptions & { certificateExport?: CertificateExport }, extraKeyLogs: string[] = []): AnalyzeOptions {
  const certificateExport = options.certificateExport;
  return {
    ...(certificateExport ? { onCertificates: (report, certificates) => certificateExport.add(report, certificates) } : {}),
    keyLogFiles: [...options.keylog, ...extraKeyLogs],
    keyFiles: options.key,
    keyPassword: options.keyPassword ?? process.env['TLSDIAG_KEY_PASSWORD'],
    psks: options.psk,
    pskFiles: options.pskFile,
    clientCaFiles: options.ca,
    serverCaFiles: options.serverCa,
    extraClientCertFiles: options.cert,
    crlFiles: options.crl,
    serverCrlFiles: options.serverCrl,
    verifyDepth: options.verifyDepth,
    filter: options.filter.length > 0 ? parseFilter(options.filter) : undefined,
    workers: options.workers,
  };
}

export function buildProgram(report: (code: number) => void): Command {
  const program = new Command('tlsdiag')
    .description('Explain why TLS and mutual-TLS handshakes in a packet capture failed.')
    .exitOverride()
    // Subcommand options (check -o, baseline --keylog) belong to the subcommand, not to the report options.
    .enablePositionalOptions()
    .showHelpAfterError();
  withAnalysisOptions(
    program
      .argument('[capture...]', 'pcap, pcapng or gzip-compressed capture files, or directories (searched for captures by content); - reads standard input')
      .option('--json', 'print one JSON document (same as --format json)')
      .addOption(new Option('--format <format>', 'output format: text, json, markdown (tickets), html (one self-contained page)').choices(FORMATS).default('text'))
      .option('-o, --output <file>', 'write the report to a file instead of standard output')
      .option('--all', 'include connections whose handshake succeeded without findings')
      .option('--limit <n>', 'text, markdown, html: at most n connections in detail, failed first', nonNegativeInteger, 20)
      .option('--redact', 'replace what identifies hosts, users and certificates (addresses, host names, leaf subjects, serials, fingerprints, file names) with stable pseudonyms (docs/reports.md)')
      .option('--export-certs <dir>', 'write every distinct certificate seen as <sha256-prefix>-<CN>.pem, with index.json of where each was seen (not with --redact)'),
  )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or above is reported').choices(SEVERITY_THRESHOLDS).default('error'))
    .option('--no-color', 'no colour in text output (also when NO_COLOR is set or output is not a terminal)')
    .action(async (captures: string[], options: CliOptions) => report(await runReport(captures, options)));

  withAnalysisOptions(
    program
      .command('check')
      .description('Analyse captures and compare each connection with an expectation file; exit 1 on any difference.')
      .argument('<capture...>', 'capture files or directories')
      .requiredOption('--expect <file>', 'expectation file (JSON, as written by tlsdiag baseline)'),
  ).action(async (captures: string[], options: AnalysisCliOptions & { expect: string }) => report(await runCheck(captures, options)));

  withAnalysisOptions(
    program
      .command('baseline')
      .description("Write today's outcome of every connection as an expectation file for tlsdiag check.")
      .argument('<capture...>', 'capture files or directories')
      .option('-o, --output <file>', 'write the file there instead of standard output'),
  ).action(async (captures: string[], options: AnalysisCliOptions & { output?: string }) => report(await runBaseline(captures, options)));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    if (exitCode === undefined) process.stderr.write(`tlsdiag: ${(error as Error).message}\n`);
    return exitCode === 0 ? 0 : 2;
  }
  return code;
}

/**
 * analyze() with errors turned into messages; null when nothing could be read (exit 2). With a redactor each
 * connection is redacted as it comes, and so are the run's facts.
 */
async function analyzeInputs(
  captures: string[],
  options: AnalyzeOptions,
  quiet = false,
  redactor: Redactor | null = null,
): Promise<AnalysisResult | null> {
  const connections: ConnectionReport[] = [];
  // Every connection is kept here anyway: strict first-frame order, as analyze() gives.
  const facts = await analyzeInputStream(captures, { ...options, reorderWindow: Infinity }, quiet, (c) =>
    void connections.push(redactor ? redactor.connection(c) : c),
  );
  if (facts === null) return null;
  return { ...(redactor ? redactor.summary(facts) : facts), connections };
}

/**
 * analyzeConnections with errors turned into messages, each connection handed to `each` as it comes; null
 * when nothing could be read (exit 2).
 */
async function analyzeInputStream(
  captures: string[],
  options: StreamOptions,
  quiet: boolean,
  each: (connection: ConnectionReport) => void | Promise<void>,
): Promise<AnalysisSummary | null> {
  if (captures.length === 0) {
    process.stderr.write('tlsdiag: no capture given (tlsdiag --help)\n');
    return null;
  }
  const inputs = expandInputs(captures);
  if (inputs.length === 0) {
    process.stderr.write(`tlsdiag: no capture found in ${captures.join(', ')}\n`);
    return null;
  }
  const totalBytes = inputSize(inputs);
  const progress = wantsProgress({ quiet, stderrIsTTY: process.stderr.isTTY === true, totalBytes })
    ? new ProgressLine(process.stderr, totalBytes)
    : null;
  let facts: AnalysisSummary;
  try {
    const workers = options.workers ?? chooseWorkerCount(inputs.length, totalBytes);
    const stream = analyzeConnections(inputs, { ...options, workers, ...(progress ? { onProgress: (p) => progress.update(p) } : {}) });
    for await (const connection of stream) await each(connection);
    facts = await stream.summary();
  } catch (error) {
    progress?.finish();
    process.stderr.write(`tlsdiag: ${(error as Error).message}\n`);
    return null;
  }
  progress?.finish();
  for (const file of facts.files) {
    if (file.error !== null) process.stderr.write(`tlsdiag: ${file.file}: ${file.error}\n`);
  }
  const unreadable = facts.files.filter((f) => f.error !== null && f.frames === 0);
  return unreadable.length === facts.files.length ? null : facts;
}

/** Bytes of all input files; null when one is standard input or cannot be sized. */
function inputSize(inputs: string[]): number | null {
  let total = 0;
  for (const input of inputs) {
    if (input === '-') return null;
    try {
      total += statSync(input).size;
    } catch {
      // The reader will name the problem.
    }
  }
  return total;
}

async function runReport(captures: string[], options: CliOptions): Promise<number> {
  if (options.exportCerts === undefined) return runReportFormat(captures, options);
  if (options.redact) {
    process.stderr.write('tlsdiag: --export-certs cannot be used with --redact: a certificate names its host, its owner and its serial\n');
    return 2;
  }
  const certificateExport = new CertificateExport(options.exportCerts);
  const code = await runReportFormat(captures, { ...options, certificateExport });
  const count = certificateExport.finish();
  if (options.quiet !== true) process.stderr.write(`tlsdiag: ${count} certificates written to ${options.exportCerts} (index.json lists where each was seen)\n`);
  return code;
}

async function runReportFormat(captures: string[], options: CliOptions): Promise<number> {
  const format: Format = options.json ? 'json' : options.format;
  // JSON and text keep only what they print (redacted as they come: one pseudonym table for the run);
  // Markdown and HTML collect every connection first.
  const redactor = options.redact ? redactorFor(options) : null;
  if (format === 'json' || format === 'text') return runStreamingReport(captures, options, format, redactor);
  const analyzed = await analyzeInputs(captures, analyzeOptionsFrom(options), options.quiet === true, redactor);
  if (analyzed === null) return 2;
  const all = options.all === true;
  const text = format === 'markdown' ? renderMarkdown(analyzed, { all, limit: options.limit }) : renderHtml(analyzed, { all, limit: options.limit });
  await write(text, options.output);
  return exitCodeFor(analyzed, options.failOn);
}

/**
 * A redactor that also knows the certificates of --cert (leaves: replaced) and --ca / --server-ca (CA names:
 * kept), which findings quote. Unreadable files are left to the analysis, which reports them.
 */
function redactorFor(options: CliOptions): Redactor {
  const redactor = new Redactor();
  const given = (files: string[], add: (cert: CertificateSummary) => void) => {
    for (const file of files) {
      try {
        if (!smallCertificateSource(file)) continue;
        for (const der of loadCertificates(file)) {
          const decoded = decodeCertificate(der);
          if (decoded.kind === 'certificate') add(decoded.summary);
        }
      } catch {
        // The analysis names the problem with this file.
      }
    }
  };
  given([...options.ca, ...options.serverCa], (cert) => redactor.givenCaCertificate(cert));
  given(options.cert, (cert) => redactor.givenClientCertificate(cert));
  return redactor;
}

/** Certificate files read for --redact: only regular files (or folders of them) of at most 16 MiB each. */
function smallCertificateSource(path: string): boolean {
  const small = (p: string) => {
    const stat = statSync(p);
    // loadCertificates reads only the regular files of a folder.
    return !stat.isFile() || stat.size <= 16 << 20;
  };
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return readdirSync(path).every((entry) => small(join(path, entry)));
    return stat.isFile() && stat.size <= 16 << 20;
  } catch {
    return false;
  }
}

/** The connections as they come: text keeps its counts and first --limit; JSON writes each (json-writer.ts). */
async function runStreamingReport(
  captures: string[],
  options: CliOptions,
  format: 'json' | 'text',
  redactor: Redactor | null,
): Promise<number> {
  const useColor = format === 'text' && options.color !== false && !options.output && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const text = format === 'text' ? new TextReport({ all: options.all === true, color: useColor, limit: options.limit }) : null;
  const output = options.output;
  const json = format === 'json' ? new JsonDocumentWriter(() => (output ? createWriteStream(output) : process.stdout)) : null;
  let hit = false;
  try {
    const found = await analyzeInputStream(captures, analyzeOptionsFrom(options), options.quiet === true, async (found) => {
      const c = redactor ? redactor.connection(found) : found;
      if (!hit && reachesThreshold(c, options.failOn)) hit = true;
      text?.add(c);
      await json?.add(c);
    });
    if (found === null) return 2;
    const facts = redactor ? redactor.summary(found) : found;
    if (text) await write(text.render(facts), options.output);
    if (json) await json.finish(facts);
    return hit ? 1 : 0;
  } finally {
    await json?.close();
  }
}

async function runCheck(captures: string[], options: AnalysisCliOptions & { expect: string }): Promise<number> {
  let expected;
  try {
    expected = parseExpectations(readBoundedFile(options.expect).toString('utf8'), options.expect);
  } catch (error) {
    process.stderr.write(`tlsdiag: ${(error as Error).message}\n`);
    return 2;
  }
  const near = (k: string) => (existsSync(k) ? k : join(dirname(options.expect), k));
  const saved = expected.options ?? {};
  const merged: AnalysisCliOptions = {
    ...options,
    ca: options.ca.length > 0 ? options.ca : (saved.clientCa ?? []).map(near),
    serverCa: options.serverCa.length > 0 ? options.serverCa : (saved.serverCa ?? []).map(near),
    cert: options.cert.length > 0 ? options.cert : (saved.cert ?? []).map(near),
    crl: options.crl.length > 0 ? options.crl : (saved.crl ?? []).map(near),
    serverCrl: options.serverCrl.length > 0 ? options.serverCrl : (saved.serverCrl ?? []).map(near),
    verifyDepth: options.verifyDepth ?? saved.verifyDepth,
  };
  const keyLogs = (expected.keyLogs ?? []).map(near);
  const result = await analyzeInputs(captures, analyzeOptionsFrom(merged, keyLogs), options.quiet === true);
  if (result === null) return 2;
  const outcome = checkExpectations(result, expected);
  const header = `${captures.join(', ')} against ${options.expect}: ${outcome.ok ? 'as expected' : 'MISMATCH'}`;
  await write(`${header}\n${outcome.lines.join('\n')}\n`, undefined);
  return outcome.ok ? 0 : 1;
}

async function runBaseline(captures: string[], options: AnalysisCliOptions & { output?: string }): Promise<number> {
  const result = await analyzeInputs(captures, analyzeOptionsFrom(options), options.quiet === true);
  if (result === null) return 2;
  const file = baseline(result, captures.join(' '), options.keylog, {
    clientCa: options.ca,
    serverCa: options.serverCa,
    cert: options.cert,
    crl: options.crl,
    serverCrl: options.serverCrl,
    verifyDepth: options.verifyDepth,
  });
  await write(`${JSON.stringify(file, null, 2)}\n`, options.output);
  return 0;
}

async function write(text: string | Iterable<string>, output: string | undefined): Promise<void> {
  const out = output ? createWriteStream(output) : process.stdout;
  const put = (piece: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      out.write(piece, (error) => (error ? reject(error) : resolve()));
    });
  if (typeof text === 'string') await put(text);
  else {
    // Batches of about 1 MB: few writes, bounded memory.
    let batch = '';
    for (const piece of text) {
      batch += piece;
      if (batch.length >= 1 << 20) {
        await put(batch);
        batch = '';
      }
    }
    await put(batch);
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
}
