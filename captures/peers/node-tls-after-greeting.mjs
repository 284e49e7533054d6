// A TLS client that connects, lets the server's greeting arrive, then starts TLS on the same socket without
// asking (implicit TLS), for captures/scripts/verdicts.sh: what a TLS-wrapped client does on a port whose server
// speaks first. Usage: node node-tls-after-greeting.mjs HOST PORT CA_FILE [WAIT_MS]
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const [host, port, caFile, waitMs = '500'] = process.argv.slice(2);
const socket = tcpConnect({ host, port: Number(port) }, () => {
  setTimeout(() => {
    const tls = tlsConnect({ socket, servername: 'localhost', ca: readFileSync(caFile) });
    tls.on('secureConnect', () => {
      console.log(`TLS established: ${tls.getProtocol()}`);
      tls.end();
    });
    tls.on('error', (error) => {
      console.log(`TLS error: ${error.code ?? ''} ${error.message}`);
      process.exitCode = 1;
      socket.destroy();
    });
  }, Number(waitMs));
});
socket.on('error', (error) => {
  console.log(`TCP error: ${error.message}`);
  process.exitCode = 1;
});
