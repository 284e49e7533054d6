import { Command, InvalidArgumentError, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { analyze, type AnalyzeOptions } from '../analyze.js';
import { renderJson } from '../report/json.js';
import { renderText } from '../report/text.js';
import { exitCodeFor, SEVERITY_THRESHOLDS, type FailOn } from './exit-code.js';
import { parseFilter } from './filter.js';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface CliOptions {
  json?: boolean;
  format: Format;
  output?: string;
  all?: boolean;
  filter: string[];
  keylog: string[];
  ca: string[];
  serverCa: string[];
  cert: string[];
  verifyDepth?: number;
  failOn: FailOn;
  color?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

export function buildProgram(): Command {
  return new Command('tlsdiag')
    .description('Explain why TLS and mutual-TLS handshakes in a packet capture failed.')
    .argument('<capture...>', 'pcap, pcapng or gzip-compressed capture files; - reads standard input')
    .option('--json', 'print one JSON document (same as --format json)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--all', 'text output: include connections whose handshake succeeded without findings')
    .option('--filter <term>', 'keep connections matching host=H, port=N, sni=NAME or a bare IP/port/name (repeatable; any term may match)', collect, [])
    .option('--keylog <file>', 'TLS key log (SSLKEYLOGFILE format) to decrypt handshakes (repeatable)', collect, [])
    .option('--ca <pem|dir>', "the server's client-CA bundle (nginx ssl_client_certificate) for offline chain checks (repeatable)", collect, [])
    .option('--server-ca <pem|dir>', 'the CA bundle the client trusts, for offline checks of the server chain (repeatable)', collect, [])
    .option('--cert <pem>', 'a client certificate the capture did not carry (e.g. when the client sent none) (repeatable)', collect, [])
    .option('--verify-depth <n>', "the server's verify depth (nginx ssl_verify_depth; OpenSSL 3 meaning)", nonNegativeInteger)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or above is reported').choices(SEVERITY_THRESHOLDS).default('error'))
    .option('--no-color', 'no colour in text output (also when NO_COLOR is set or output is not a terminal)')
    .showHelpAfterError();
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const options = program.opts<CliOptions>();
  const format: Format = options.json ? 'json' : options.format;
  const analyzeOptions: AnalyzeOptions = {
    keyLogFiles: options.keylog,
    clientCaFiles: options.ca,
    serverCaFiles: options.serverCa,
    extraClientCertFiles: options.cert,
    verifyDepth: options.verifyDepth,
    filter: options.filter.length > 0 ? parseFilter(options.filter) : undefined,
  };

  let result;
  try {
    result = await analyze(program.args, analyzeOptions);
  } catch (error) {
    process.stderr.write(`tlsdiag: ${(error as Error).message}\n`);
    return 2;
  }
  const unreadable = result.files.filter((f) => f.error !== null && f.frames === 0);
  for (const file of result.files) {
    if (file.error !== null) process.stderr.write(`tlsdiag: ${file.file}: ${file.error}\n`);
  }

  const out = options.output ? createWriteStream(options.output) : process.stdout;
  const useColor =
    format === 'text' && options.color !== false && !options.output && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const text =
    format === 'json' ? renderJson(result) : renderText(result, { all: options.all === true, color: useColor });
  await new Promise<void>((resolve, reject) => {
    out.write(text, (error) => (error ? reject(error) : resolve()));
  });
  if (out !== process.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));

  if (unreadable.length === result.files.length) return 2;
  return exitCodeFor(result, options.failOn);
}
