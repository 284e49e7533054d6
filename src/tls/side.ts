/** The two ends of a TLS connection: the client sends the ClientHello, the server answers it. */
export type Side = 'client' | 'server';
