import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readBoundedFile } from '../bounded-file.js';
import { INPUT_NAMES, INPUTS, type AnalysisInputs, type InputName } from '../analysis-inputs.js';
import type { AnalyzeOptions, StreamOptions } from '../analysis-options.js';
import { analyzeConnections } from '../analyze.js';
import type { AnalysisResult, AnalysisSummary, CertificateSummary, ConnectionReport } from '../model/types.js';
import { HtmlReport } from '../report/html.js';
import { MarkdownReport } from '../report/markdown.js';
import { Redactor } from '../report/redact.js';
import { decodeCertificate, loadCertificates } from '../x509/index.js';
import { CertificateExport } from '../report/export-certs.js';
import { GROUP_BY, type GroupBy } from '../report/groups.js';
import { jsonLine, jsonLinesTail } from '../report/jsonl.js';
import { isFailed } from '../report/outcome.js';
import { printable, renderConnectionNow, TextReport } from '../report/text.js';
import { standardInputIsLive, startTcpdump, stopOnSignals, type LiveCapture } from './live.js';
import { reachesThreshold, SEVERITY_THRESHOLDS, type FailOn } from './exit-code.js';
import { JsonDocumentWriter } from './json-writer.js';
import { OutputClosed, OutputError, ReportOutput } from './output.js';
import { baseline, checkExpectations, parseExpectations, savedInputs, withSavedInputs } from './expect.js';
import { parseFilter } from './filter.js';
import { expandInputs } from './inputs.js';
import { chooseWorkerCount } from '../parallel/index.js';
import { ProgressLine, wantsProgress } from './progress.js';
import { errorMessage } from '../util/errors.js';

const FORMATS = ['text', 'json', 'jsonl', 'markdown', 'html'] as const;
type Format = (typeof FORMATS)[number];

/** `--server-crl` → `serverCrl`: the key commander gives an option's value. */
type AttributeName<Flag extends string> = Flag extends `--${infer Name}` ? CamelCase<Name> : never;
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The inputs as commander gives them (INPUTS names the option of each): a repeatable option defaults to []. */
type CliInputs = {
  [K in InputName as AttributeName<(typeof INPUTS)[K]['flag']>]: (typeof INPUTS)[K]['kind'] extends 'files' | 'hex' ? string[] : AnalysisInputs[K];
};

/** The options of withAnalysisOptions as commander names them. */
interface AnalysisCliOptions extends CliInputs {
  filter: string[];
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
  interface?: string;
  groupBy: GroupBy;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --filter terms, each checked here (at the edge) so a typo is an option error, not a run that matches nothing. */
function collectFilter(value: string, previous: string[]): string[] {
  try {
    parseFilter([value]);
  } catch (error) {
    throw new InvalidArgumentError(errorMessage(error).replace(/^--filter [^:]*: /, ''));
  }
  return [...previous, value];
}

/** The version of the package this file belongs to (src/cli or dist/cli, two folders below package.json). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Colour for the text report: never with --no-color; FORCE_COLOR (other than 0/false) forces it on standard
 * output, also on a pipe; NO_COLOR (non-empty) turns it off; else only when standard output is a terminal.
 * As Node decides, FORCE_COLOR wins over NO_COLOR. A file of -o never gets colour.
 */
export function wantsColor(flag: boolean | undefined, output: string | undefined, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (flag === false || output !== undefined) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env['NO_COLOR']) return false;
  return isTTY;
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
    .option(
      '--filter <term>',
      'keep connections matching host=IP|CIDR|NAME, port=N, sni=NAME, finding=ID, severity=S, since=TIME, until=TIME or a bare IP/port/name (repeatable: AND between keys, OR within one)',
      collectFilter,
      [],
    )
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
    .option('--workers <n>', 'threads: several captures one per thread (default: one per core when they hold 32 MiB or more), or with n > 1 one capture\'s connections shared among them; 1: no worker threads', positiveInteger);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** The inputs of the command line: each field of AnalysisInputs filled by the option INPUTS names for it. */
function inputsFrom(options: AnalysisCliOptions): AnalysisInputs {
  const given = options as unknown as Record<string, unknown>;
  const inputs: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) inputs[name] = given[new Option(INPUTS[name].flag).attributeName()];
  const keyPassword = options.keyPassword ?? process.env['TLSDIAG_KEY_PASSWORD'];
  return { ...(inputs as AnalysisInputs), keyPassword };
}

function analyzeOptionsFrom(options: AnalysisCliOptions & { certificateExport?: CertificateExport }, inputs = inputsFrom(options)): AnalyzeOptions {
  const certificateExport = options.certificateExport;
  return {
    ...(certificateExport ? { onCertificates: (report, certificates) => certificateExport.add(report, certificates) } : {}),
    ...inputs,
    filter: options.filter.length > 0 ? parseFilter(options.filter) : undefined,
    workers: options.workers,
    // Unreadable inputs are analysed with the others and reported once, then the run exits 2.
    unreadableInput: 'report',
  };
}

export function buildProgram(report: (code: number) => void): Command {
  const program = new Command('tlsdiag')
    .description('Explain why TLS and mutual-TLS handshakes in a packet capture failed.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    // One line per option error and where to read more, not the whole help (inherited by the subcommands).
    .configureOutput({
      outputError: (text, write) => write(`tlsdiag: ${printable(text.replace(/^error: /, '').trim())} (see tlsdiag --help)\n`),
    })
    // Subcommand options (check -o, baseline --keylog) belong to the subcommand, not to the report options.
    .enablePositionalOptions();
  withAnalysisOptions(
    program
      .argument('[capture...]', 'pcap, pcapng or gzip-compressed capture files, or directories (searched for captures by content); - reads standard input; with --interface: a BPF filter')
      .option('-i, --interface <if>', 'capture live: run tcpdump -i <if> -s 0 -U -w - [filter] and analyse its output as it comes (Ctrl-C ends it)')
      .option('--json', 'print one JSON document (same as --format json)')
      .addOption(new Option('--format <format>', 'output format: text, json, jsonl (a line per connection as it ends), markdown (tickets), html (one self-contained page)').choices(FORMATS).default('text'))
      .option('-o, --output <file>', 'write the report to a file instead of standard output')
      .option('--all', 'include connections whose handshake succeeded without findings')
      .addOption(new Option('--group-by <key>', 'text summary: problems grouped by root cause and server (ip:port and SNI), sni, client, or cause alone').choices(GROUP_BY).default('server'))
      .option('--limit <n>', 'text, markdown, html: at most n connections in detail, failed first', nonNegativeInteger, 20)
      .option('--redact', 'replace what identifies hosts, users and certificates (addresses, host names, leaf subjects, serials, fingerprints, file names) with stable pseudonyms (docs/reports.md)')
      .option('--export-certs <dir>', 'write every distinct certificate seen as <sha256-prefix>-<CN>.pem, with index.json of where each was seen (not with --redact)'),
  )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or above is reported (none: never)').choices(SEVERITY_THRESHOLDS).default('error'))
    .option('--no-color', 'no colour in text output (also with NO_COLOR, or output not a terminal unless FORCE_COLOR is set)')
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
    if (error instanceof OutputError) {
      process.stderr.write(`tlsdiag: ${printable(error.message)}\n`);
      return 2;
    }
    const exitCode = (error as { exitCode?: number }).exitCode;
    if (exitCode === undefined) process.stderr.write(`tlsdiag: ${errorMessage(error)}\n`);
    return exitCode === 0 ? 0 : 2;
  }
  return code;
}

/** What the CLI knows once the inputs were analysed. */
interface InputFacts {
  facts: AnalysisSummary;
  /** Inputs that could not be read at all (each named once on standard error): the run exits 2. */
  unreadable: number;
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
): Promise<(InputFacts & { result: AnalysisResult }) | null> {
  const connections: ConnectionReport[] = [];
  // Every connection is kept here anyway: strict first-frame order, as analyze() gives.
  const read = await analyzeInputStream(captures, { ...options, reorderWindow: Infinity }, quiet, (c) =>
    void connections.push(redactor ? redactor.connection(c) : c),
  );
  if (read === null) return null;
  const facts = redactor ? redactor.summary(read.facts) : read.facts;
  return { ...read, facts, result: { ...facts, connections } };
}

/**
 * analyzeConnections with errors turned into messages, each connection handed to `each` as it comes; null
 * when nothing could be read (exit 2). Each input that could not be read is named once, on standard error.
 */
async function analyzeInputStream(
  captures: string[],
  options: StreamOptions,
  quiet: boolean,
  each: (connection: ConnectionReport) => void | Promise<void>,
): Promise<InputFacts | null> {
  if (captures.length === 0) {
    process.stderr.write('tlsdiag: no capture given (see tlsdiag --help)\n');
    return null;
  }
  const inputs = expandInputs(captures);
  if (inputs.length === 0) {
    process.stderr.write(`tlsdiag: no capture found in ${printable(captures.join(', '))}\n`);
    return null;
  }
  const totalBytes = options.inputStreams ? null : inputSize(inputs);
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
    if (error instanceof OutputError || error instanceof OutputClosed) throw error;
    process.stderr.write(`tlsdiag: ${printable(errorMessage(error))}\n`);
    return null;
  }
  progress?.finish();
  const unreadable = facts.files.filter(isUnreadable);
  for (const file of unreadable) process.stderr.write(`tlsdiag: ${printable(file.file)}: ${printable(file.error!)}\n`);
  return unreadable.length === facts.files.length ? null : { facts, unreadable: unreadable.length };
}

/** An input of which nothing could be read (missing, not a capture); one cut short was read up to its error. */
function isUnreadable(file: AnalysisSummary['files'][number]): boolean {
  return file.error !== null && file.frames === 0;
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
  let live: LiveCapture | null = null;
  if (options.interface !== undefined) {
    try {
      live = await startTcpdump(options.interface, captures);
    } catch (error) {
      process.stderr.write(`tlsdiag: ${printable(errorMessage(error))}\n`);
      return 2;
    }
    captures = [live.name];
  }
  const readsStandardInput = captures.includes('-');
  const liveInput = live !== null || (readsStandardInput && standardInputIsLive());
  // Ctrl-C or SIGTERM: stop reading, report what was read (open connections too), complete the output.
  const stop = stopOnSignals(() => live?.stop());
  const extra: StreamOptions = {
    signal: stop.signal,
    ...(live ? { inputStreams: { [live.name]: live.stream } } : {}),
    // Each connection the moment it ends, not held back behind one that is still open.
    ...(format === 'jsonl' || liveInput ? { reorderWindow: 0 } : {}),
  };
  try {
    return await reportOn(captures, options, format, liveInput, extra);
  } finally {
    stop.dispose();
    live?.stop();
    // A read of standard input still pending after a stop would keep the process alive.
    if (readsStandardInput && stop.signal.aborted) process.stdin.destroy();
  }
}

async function reportOn(captures: string[], options: CliOptions, format: Format, liveInput: boolean, extra: StreamOptions): Promise<number> {
  // Every format keeps only what it prints, redacted as it comes (one pseudonym table for the run).
  const redactor = options.redact ? redactorFor(inputsFrom(options)) : null;
  return runStreamingReport(captures, options, format, new ReportOutput(options.output), liveInput, extra, redactor);
}

/**
 * A redactor that also knows the certificates of --cert (leaves: replaced) and --ca / --server-ca (CA names:
 * kept), which findings quote. Unreadable files are left to the analysis, which reports them.
 */
function redactorFor(inputs: AnalysisInputs): Redactor {
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
  given([...(inputs.clientCaFiles ?? []), ...(inputs.serverCaFiles ?? [])], (cert) => redactor.givenCaCertificate(cert));
  given(inputs.extraClientCertFiles ?? [], (cert) => redactor.givenClientCertificate(cert));
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

/**
 * Runs `work` (which writes the report) and returns `code`; when the reader of standard output left (`| head`),
 * the run stops there quietly with the code known so far.
 */
async function untilClosed(code: number | (() => number), work: () => Promise<void>): Promise<number> {
  const value = (): number => (typeof code === 'number' ? code : code());
  try {
    await work();
  } catch (error) {
    if (error instanceof OutputClosed) return value();
    throw error;
  }
  return value();
}

/**
 * The connections as they come: text keeps its counts and first --limit (on live input it prints each failed
 * connection the moment it ends); JSON writes each in batches (json-writer.ts); JSON Lines writes each at once.
 */
async function runStreamingReport(
  captures: string[],
  options: CliOptions,
  format: Format,
  out: ReportOutput,
  liveInput: boolean,
  extra: StreamOptions,
  redactor: Redactor | null,
): Promise<number> {
  const useColor = format === 'text' && wantsColor(options.color, options.output, process.stdout.isTTY === true, process.env);
  const all = options.all === true;
  const text = format === 'text' ? new TextReport({ all, color: useColor, limit: options.limit, streamed: liveInput, groupBy: options.groupBy }) : null;
  const page =
    format === 'markdown'
      ? new MarkdownReport({ all, limit: options.limit, groupBy: options.groupBy })
      : format === 'html'
        ? new HtmlReport({ all, limit: options.limit, groupBy: options.groupBy })
        : null;
  const json = format === 'json' ? new JsonDocumentWriter(out) : null;
  let hit = false;
  let unreadable = 0;
  return untilClosed(
    () => (unreadable > 0 ? 2 : hit ? 1 : 0),
    async () => {
      try {
        const read = await analyzeInputStream(captures, { ...analyzeOptionsFrom(options), ...extra }, options.quiet === true, async (found) => {
          const c = redactor ? redactor.connection(found) : found;
          if (!hit && reachesThreshold(c, options.failOn)) hit = true;
          text?.add(c);
          page?.add(c);
          if (text && liveInput && isFailed(c)) await out.write(renderConnectionNow(c, { color: useColor, showFile: false }));
          if (format === 'jsonl') await out.write(jsonLine(c));
          await json?.add(c);
        });
        if (read === null) {
          unreadable = 1;
          return;
        }
        unreadable = read.unreadable;
        const facts = redactor ? redactor.summary(read.facts) : read.facts;
        if (text) await write(text.render(facts), out);
        if (page) await write(page.render(facts), out);
        if (json) await json.finish(facts);
        if (format === 'jsonl') await write(jsonLinesTail(facts), out);
      } finally {
        await json?.close();
      }
    },
  );
}

/** A file an expectation file names: absolute as is; relative to the expectation file, else (older files) to here. */
function nearExpectation(expectFile: string, path: string): string {
  if (isAbsolute(path)) return path;
  const beside = join(dirname(expectFile), path);
  return existsSync(beside) || !existsSync(path) ? beside : path;
}

async function runCheck(captures: string[], options: AnalysisCliOptions & { expect: string }): Promise<number> {
  let expected;
  try {
    expected = parseExpectations(readBoundedFile(options.expect).toString('utf8'), options.expect);
  } catch (error) {
    process.stderr.write(`tlsdiag: ${printable(errorMessage(error))}\n`);
    return 2;
  }
  const near = (k: string): string => nearExpectation(options.expect, k);
  const keyLogs = (expected.keyLogs ?? []).map(near);
  const given = inputsFrom(options);
  const { inputs, fromFile } = withSavedInputs({ ...given, keyLogFiles: [...(given.keyLogFiles ?? []), ...keyLogs] }, expected.options ?? {}, near);
  // A file the expectations depend on that is gone changes the outcomes: say so instead of printing a diff.
  for (const [what, paths] of [['key log', keyLogs] as [string, string[]], ...fromFile]) {
    const missing = paths.find((p) => !existsSync(p));
    if (missing !== undefined) {
      process.stderr.write(`tlsdiag: ${what} not found: ${printable(missing)} (named in ${printable(options.expect)})\n`);
      return 2;
    }
  }
  const read = await analyzeInputs(captures, analyzeOptionsFrom(options, inputs), options.quiet === true);
  if (read === null) return 2;
  const outcome = checkExpectations(read.result, expected);
  const header = `${captures.join(', ')} against ${options.expect}: ${outcome.ok ? 'as expected' : 'MISMATCH'}`;
  const code = read.unreadable > 0 ? 2 : outcome.ok ? 0 : 1;
  return untilClosed(code, () => write(`${printable(header)}\n${outcome.lines.map(printable).join('\n')}\n`, new ReportOutput()));
}

async function runBaseline(captures: string[], options: AnalysisCliOptions & { output?: string }): Promise<number> {
  const read = await analyzeInputs(captures, analyzeOptionsFrom(options), options.quiet === true);
  if (read === null) return 2;
  // Paths relative to the expectation file, as check reads them: the file moves with its folder.
  const base = options.output ? dirname(resolve(options.output)) : process.cwd();
  const near = (path: string): string => relative(base, resolve(path)) || '.';
  const file = baseline(read.result, captures.join(' '), options.keylog.map(near), savedInputs(inputsFrom(options), near));
  const code = read.unreadable > 0 ? 2 : 0;
  return untilClosed(code, () => write(`${JSON.stringify(file, null, 2)}\n`, new ReportOutput(options.output)));
}

/** Writes a report (one string, or pieces batched to about 1 MB: few writes, bounded memory), then ends a file. */
async function write(text: string | Iterable<string>, out: ReportOutput): Promise<void> {
  if (typeof text === 'string') await out.write(text);
  else {
    let batch = '';
    for (const piece of text) {
      batch += piece;
      if (batch.length >= 1 << 20) {
        await out.write(batch);
        batch = '';
      }
    }
    await out.write(batch);
  }
  await out.end();
}
