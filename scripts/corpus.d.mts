// Types of scripts/corpus.mjs, for the tests that share it.

export const ROOT: string;
export const DEFAULT_FOLDERS: string[];
export function listCaptures(paths: string[], root?: string): string[];
export function keyLogFor(capture: string): string | null;
export function expectedJsonFor(capture: string): string;
export function metaFor(capture: string): CaptureMeta | null;
export function serverOptionsFor(capture: string): string[];

/** A capture's `<name>.meta.json`: how it was recorded and what the peers said (captures/README.md). */
export interface CaptureMeta {
  scenario: string;
  description: string;
  server: string;
  client: string;
  commands: string[];
  clientExit: number;
  clientSaid: string;
  serverSaid: string;
  keyLog?: string | null;
  /** What the wire shows, as the recording script checked it with tshark. */
  wire?: {
    handshakeCompleted: boolean;
    alert: { from: 'client' | 'server'; description: string } | null;
    clientCertificate?: 'empty' | 'sent';
  };
  /** tlsdiag options standing for the server's configuration (serverOptionsFor). */
  options?: string[];
  /** The server's own verify error (captures/crl). */
  serverError?: string;
  /** How the peers ended (captures/crl): what the server's log says. */
  outcome?: string;
  /** What opens the capture without its key log (captures/keys). */
  opens?: { keys?: string[]; keyPassword?: string; psk?: string; pskIdentity?: string };
}
