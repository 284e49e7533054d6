/**
 * Real TLS peers for the decryption tests: Node's tls and the openssl binary, talking through a recording TCP
 * proxy on 127.0.0.1 that keeps each direction's bytes exactly as they crossed the wire.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { tempDir } from '../../temp-dir.js';

/** Ports this suite may use (25000-25999), spread by pid so parallel runs rarely meet. */
let nextPort = 25000 + (process.pid % 50) * 20;
function takePort(): number {
  const port = nextPort;
  nextPort = nextPort >= 25999 ? 25000 : nextPort + 1;
  return port;
}

async function listenOnFreePort(server: net.Server): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = takePort();
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') resolve(false);
        else throw error;
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, '127.0.0.1');
    });
    if (ok) return port;
  }
  throw new Error('no free port in 25000-25999');
}

export interface Recording {
  /** Bytes the client sent, in order. */
  client: Buffer;
  /** Bytes the server sent, in order. */
  server: Buffer;
}

/** A one-connection TCP proxy to `targetPort` that records both directions. */
export async function recordingProxy(
  targetPort: number,
): Promise<{ port: number; recording: Promise<Recording>; close(): void; clientBytesSoFar(): number }> {
  const fromClient: Buffer[] = [];
  let clientBytes = 0;
  const fromServer: Buffer[] = [];
  let finish!: (r: Recording) => void;
  const recording = new Promise<Recording>((resolve) => (finish = resolve));
  const proxy = net.createServer((downstream) => {
    proxy.close();
    const upstream = net.connect(targetPort, '127.0.0.1');
    let closed = 0;
    const onClose = (): void => {
      if (++closed === 2) finish({ client: Buffer.concat(fromClient), server: Buffer.concat(fromServer) });
    };
    downstream.on('data', (chunk: Buffer) => {
      fromClient.push(Buffer.from(chunk));
      clientBytes += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(Buffer.from(chunk));
      downstream.write(chunk);
    });
    downstream.on('end', () => upstream.end());
    upstream.on('end', () => downstream.end());
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
    downstream.on('close', onClose);
    upstream.on('close', onClose);
  });
  const port = await listenOnFreePort(proxy);
  return { port, recording, close: () => proxy.close(), clientBytesSoFar: () => clientBytes };
}

export interface Credentials {
  dir: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

/** A self-signed RSA server certificate and a self-signed client certificate, made by openssl. */
export function makeCredentials(): Credentials {
  const dir = tempDir('tlsdiag-decrypt-');
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', 'decrypt-test-client'],
  ] as const) {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-subj', `/CN=${cn}`,
    ], { stdio: 'ignore' });
  }
  return {
    dir,
    serverKey: join(dir, 'server.key'),
    serverCert: join(dir, 'server.pem'),
    clientKey: join(dir, 'client.key'),
    clientCert: join(dir, 'client.pem'),
  };
}

export interface NodeSessionOptions {
  credentials: Credentials;
  /** OpenSSL cipher string (TLS 1.2 and older) and/or TLS 1.3 suite names; Node splits them. */
  ciphers: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  clientCertificate?: boolean;
  /** secureOptions for the client (e.g. SSL_OP_NO_ENCRYPT_THEN_MAC). */
  clientSecureOptions?: number;
  clientMessage: Buffer;
  serverMessage: Buffer;
}

export interface Session extends Recording {
  keyLog: string;
  /** What each peer received, as the application saw it. */
  receivedByServer: Buffer;
  receivedByClient: Buffer;
}

/**
 * Node client and Node server: the client sends its message, the server answers with its own once it has the
 * whole of the client's, then both close. Key log lines come from the client's 'keylog' event.
 */
export async function nodeSession(options: NodeSessionOptions): Promise<Session> {
  const { credentials } = options;
  const received: Buffer[] = [];
  const server = tls.createServer({
    key: readFileSync(credentials.serverKey),
    cert: readFileSync(credentials.serverCert),
    ciphers: options.ciphers,
    minVersion: options.minVersion ?? 'TLSv1',
    maxVersion: options.maxVersion ?? 'TLSv1.3',
    requestCert: options.clientCertificate ?? false,
    rejectUnauthorized: false,
  });
  server.on('secureConnection', (socket) => {
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      got += chunk.length;
      if (got === options.clientMessage.length) socket.end(options.serverMessage);
    });
    socket.on('error', () => undefined);
  });
  const serverPort = await listenOnFreePort(server);
  const proxy = await recordingProxy(serverPort);
  const keyLog: string[] = [];
  const fromServer: Buffer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const client = tls.connect({
        host: '127.0.0.1',
        port: proxy.port,
        servername: 'localhost',
        rejectUnauthorized: false,
        ciphers: options.ciphers,
        minVersion: options.minVersion ?? 'TLSv1',
        maxVersion: options.maxVersion ?? 'TLSv1.3',
        secureOptions: options.clientSecureOptions,
        ...(options.clientCertificate ? { key: readFileSync(credentials.clientKey), cert: readFileSync(credentials.clientCert) } : {}),
      });
      client.on('keylog', (line: Buffer) => keyLog.push(line.toString('latin1')));
      client.on('secureConnect', () => client.write(options.clientMessage));
      client.on('data', (chunk: Buffer) => fromServer.push(chunk));
      client.on('end', () => client.end());
      client.on('close', () => resolve());
      client.on('error', reject);
    });
    const recording = await proxy.recording;
    return { ...recording, keyLog: keyLog.join(''), receivedByServer: Buffer.concat(received), receivedByClient: Buffer.concat(fromServer) };
  } finally {
    proxy.close();
    server.close();
  }
}

export interface OpensslClientOptions {
  credentials: Credentials;
  /** Extra s_client arguments: version, -ciphersuites/-cipher, -no_etm, -cert/-key … */
  args: string[];
  /** TLS 1.2-and-older cipher string for the Node server, with TLS 1.3 suite names if needed. */
  serverCiphers: string;
  requestClientCertificate?: boolean;
  /**
   * What the client sends, one application write each; between two writes s_client is told 'k' (a TLS 1.3
   * KeyUpdate) when keyUpdateBetween is set.
   */
  clientMessages: Buffer[];
  keyUpdateBetween?: boolean;
  serverMessage: Buffer;
}

/**
 * openssl s_client (with -keylogfile) against a Node server through the recording proxy. Each client message
 * is written to s_client's stdin only after the server got the previous one, so s_client reads it as one
 * line and its 'k' command stays on a line of its own.
 */
export async function opensslClientSession(options: OpensslClientOptions): Promise<Session> {
  const { credentials } = options;
  const received: Buffer[] = [];
  let gotMessage: (() => void) | null = null;
  const server = tls.createServer({
    key: readFileSync(credentials.serverKey),
    cert: readFileSync(credentials.serverCert),
    ciphers: options.serverCiphers,
    minVersion: 'TLSv1',
    requestCert: options.requestClientCertificate ?? false,
    rejectUnauthorized: false,
  });
  const expectedTotal = options.clientMessages.reduce((n, m) => n + m.length, 0);
  let serverSocket: tls.TLSSocket | null = null;
  server.on('secureConnection', (socket) => {
    serverSocket = socket;
    let got = 0;
    let boundary = 0;
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      got += chunk.length;
      while (index < options.clientMessages.length && got >= boundary + options.clientMessages[index]!.length) {
        boundary += options.clientMessages[index]!.length;
        index++;
        gotMessage?.();
      }
      if (got === expectedTotal) socket.end(options.serverMessage);
    });
    socket.on('error', () => undefined);
  });
  const serverPort = await listenOnFreePort(server);
  const proxy = await recordingProxy(serverPort);
  const keyLogFile = join(mkdtempSync(join(credentials.dir, 'keylog-')), 'keys.log');
  const child: ChildProcessWithoutNullStreams = spawn('openssl', [
    's_client', '-connect', `127.0.0.1:${proxy.port}`, '-servername', 'localhost', '-keylogfile', keyLogFile,
    // -quiet implies -ign_eof, which also turns off s_client's 'k' (KeyUpdate) command.
    ...(options.keyUpdateBetween ? [] : ['-quiet']), ...options.args,
  ]);
  const fromServer: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => fromServer.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`TLS session did not start: ${stderr}`)), 20_000);
      server.once('secureConnection', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (let i = 0; i < options.clientMessages.length; i++) {
      if (i > 0 && options.keyUpdateBetween) {
        // s_client reads stdin in one read per poll: wait until its KeyUpdate record went out, so 'k' is
        // read alone and not with the next message.
        const before = proxy.clientBytesSoFar();
        child.stdin.write('k\n');
        const deadline = Date.now() + 15_000;
        while (proxy.clientBytesSoFar() === before) {
          if (Date.now() > deadline) throw new Error(`s_client sent no KeyUpdate: ${stderr}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const delivered = new Promise<void>((resolve) => (gotMessage = resolve));
      child.stdin.write(options.clientMessages[i]!);
      await delivered;
    }
    await exited;
    const recording = await proxy.recording;
    void serverSocket;
    return {
      ...recording,
      keyLog: readFileSync(keyLogFile, 'latin1'),
      receivedByServer: Buffer.concat(received),
      receivedByClient: Buffer.concat(fromServer),
    };
  } finally {
    child.kill();
    proxy.close();
    server.close();
  }
}

export interface OpensslServerOptions {
  credentials: Credentials;
  /** Extra s_server arguments: version, -ciphersuites/-cipher, -verify … */
  args: string[];
  clientCiphers: string;
  clientCertificate?: boolean;
  clientMessage: Buffer;
  serverMessage: Buffer;
}

/**
 * openssl s_server (with -keylogfile) and a Node client through the recording proxy. The server's message is
 * written to s_server's stdin once it printed the client's; the Node client closes after reading it.
 */
export async function opensslServerSession(options: OpensslServerOptions): Promise<Session> {
  const { credentials } = options;
  const keyLogFile = join(mkdtempSync(join(credentials.dir, 'keylog-')), 'keys.log');
  const serverPort = takeFreePort();
  const child = spawn('openssl', [
    's_server', '-accept', `127.0.0.1:${serverPort}`, '-naccept', '1', '-keylogfile', keyLogFile,
    '-cert', credentials.serverCert, '-key', credentials.serverKey, '-quiet', ...options.args,
  ]);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let stdout = Buffer.alloc(0);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sawClientMessage = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = Buffer.concat([stdout, chunk]);
      if (stdout.includes(options.clientMessage)) resolve();
    });
  });
  // s_server prints nothing when quiet; wait for the port to accept instead.
  await waitForPort(serverPort, () => stderr);
  const proxy = await recordingProxy(serverPort);
  const fromServer: Buffer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const client = tls.connect({
        host: '127.0.0.1',
        port: proxy.port,
        servername: 'localhost',
        rejectUnauthorized: false,
        ciphers: options.clientCiphers,
        minVersion: 'TLSv1',
        ...(options.clientCertificate ? { key: readFileSync(credentials.clientKey), cert: readFileSync(credentials.clientCert) } : {}),
      });
      client.on('secureConnect', () => {
        client.write(options.clientMessage);
        void sawClientMessage.then(() => child.stdin.write(options.serverMessage));
      });
      client.on('data', (chunk: Buffer) => {
        fromServer.push(chunk);
        if (Buffer.concat(fromServer).length >= options.serverMessage.length) client.end();
      });
      client.on('close', () => resolve());
      client.on('error', reject);
    });
    child.stdin.end();
    await exited;
    const recording = await proxy.recording;
    return {
      ...recording,
      keyLog: readFileSync(keyLogFile, 'latin1'),
      receivedByServer: stdout,
      receivedByClient: Buffer.concat(fromServer),
    };
  } finally {
    child.kill();
    proxy.close();
  }
}

/** Whether anything listens on 127.0.0.1:port (read from /proc: a probe connection would use up s_server's one accept). */
function listening(port: number): boolean {
  return readFileSync('/proc/net/tcp', 'latin1').includes(`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`);
}

/** A port for openssl s_server to bind: one nobody listens on now. */
function takeFreePort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = takePort();
    if (!listening(port)) return port;
  }
  throw new Error('no free port in 25000-25999');
}

async function waitForPort(port: number, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (listening(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`openssl s_server did not listen on ${port}: ${diagnostics()}`);
}

export interface EarlyDataSession extends Recording {
  keyLog: string;
  /** What s_server printed: the early data and the ordinary data, as it received them. */
  receivedByServer: Buffer;
}

/**
 * TLS 1.3 0-RTT with openssl on both ends: a first s_client connection (not recorded) gets a session ticket,
 * a second one resumes it through the recording proxy and sends `earlyData` as 0-RTT, then `lateData`.
 */
export async function opensslEarlyDataSession(options: { credentials: Credentials; earlyData: Buffer; lateData: Buffer }): Promise<EarlyDataSession> {
  const { credentials } = options;
  const work = mkdtempSync(join(credentials.dir, 'early-'));
  const keyLogFile = join(work, 'keys.log');
  const sessionFile = join(work, 'session.pem');
  const earlyFile = join(work, 'early.txt');
  writeFileSync(earlyFile, options.earlyData);
  const serverPort = takeFreePort();
  const server = spawn('openssl', [
    's_server', '-accept', `127.0.0.1:${serverPort}`, '-naccept', '2', '-tls1_3', '-early_data', '-quiet',
    '-cert', credentials.serverCert, '-key', credentials.serverKey,
  ]);
  let serverOut = Buffer.alloc(0);
  let stderr = '';
  server.stdout.on('data', (chunk: Buffer) => (serverOut = Buffer.concat([serverOut, chunk])));
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const serverExited = new Promise<void>((resolve) => server.on('close', () => resolve()));
  const children: ChildProcessWithoutNullStreams[] = [server];
  try {
    await waitForPort(serverPort, () => stderr);
    // First connection: wait until s_client has written the ticket it got, then let it go.
    const first = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${serverPort}`, '-servername', 'localhost', '-tls1_3', '-sess_out', sessionFile]);
    children.push(first);
    first.stdout.resume();
    first.stderr.resume();
    const firstExited = new Promise<void>((resolve) => first.on('close', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (!(existsSync(sessionFile) && statSync(sessionFile).size > 0)) {
      if (Date.now() > deadline) throw new Error(`no session ticket: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.stdin.end();
    await firstExited;

    const proxy = await recordingProxy(serverPort);
    const second = spawn('openssl', [
      's_client', '-connect', `127.0.0.1:${proxy.port}`, '-servername', 'localhost', '-tls1_3',
      '-sess_in', sessionFile, '-early_data', earlyFile, '-keylogfile', keyLogFile,
    ]);
    children.push(second);
    second.stdout.resume();
    second.stderr.resume();
    const secondExited = new Promise<void>((resolve) => second.on('close', () => resolve()));
    const wait = Date.now() + 15_000;
    await new Promise((r) => setTimeout(r, 300));
    second.stdin.write(options.lateData);
    while (!serverOut.includes(options.lateData)) {
      if (Date.now() > wait) throw new Error(`s_server did not get the data: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    second.stdin.end();
    await secondExited;
    await serverExited;
    const recording = await proxy.recording;
    proxy.close();
    return { ...recording, keyLog: readFileSync(keyLogFile, 'latin1'), receivedByServer: serverOut };
  } finally {
    for (const child of children) child.kill();
  }
}
