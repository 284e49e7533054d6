// An HTTPS server that demands a client certificate (requestCert + rejectUnauthorized), so a
// capture shows how Node itself refuses a missing or untrusted one.
// Usage: node node-server.mjs PORT TLS_VERSION(TLSv1.2|TLSv1.3) KEY CERT CA
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [port, version, keyFile, certFile, caFile] = process.argv.slice(2);
if (!caFile) {
  console.error('usage: node node-server.mjs PORT TLS_VERSION KEY CERT CA');
  process.exit(2);
}

const server = https.createServer(
  {
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    ca: readFileSync(caFile),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: version,
    maxVersion: version,
  },
  (req, res) => {
    const peer = req.socket.getPeerCertificate();
    console.log(`request from ${peer?.subject?.CN ?? '(no certificate)'}: 200`);
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end('ok\n');
  },
);
server.on('tlsClientError', (err) => console.log(`tlsClientError: ${err.code ?? ''} ${err.message}`));
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
