import { analyze } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/model/types.js';

export const JAVA_EMPTY_CERT = 'captures/mtls/java-tls12-other-root-keystore-s-server.pcap';
export const NGINX_TLS13 = 'captures/mtls/nginx-tls13-other-root-client-cert';

const cache = new Map<string, Promise<AnalysisResult>>();

/** A real capture's analysis, shared by the tests of one file (renderers must not mutate it). */
export function analyzed(capture: string, keyLog?: string): Promise<AnalysisResult> {
  const key = `${capture}|${keyLog ?? ''}`;
  if (!cache.has(key)) cache.set(key, analyze(capture, keyLog ? { keyLogFiles: [keyLog] } : {}));
  return cache.get(key)!;
}

export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/**
 * A real result whose capture-borne strings were replaced by hostile ones, as a crafted ClientHello and
 * certificate would carry them: SNI, certificate subject and SANs, an event summary (an HTTP first line).
 */
export function withHostileStrings(result: AnalysisResult): AnalysisResult {
  const copy = structuredClone(result);
  for (const c of copy.connections) {
    c.sni = `${HOSTILE}.example`;
    for (const cert of [...(c.clientCertificates ?? []), ...(c.serverCertificates ?? [])]) {
      cert.subject = `CN=${HOSTILE}`;
      cert.subjectAltNames = [`DNS:${HOSTILE}`];
    }
    if (c.certificateRequest) c.certificateRequest.certificateAuthorities = [`CN=${HOSTILE} | ]] **x**`];
    for (const e of c.timeline) e.summary = `GET /${HOSTILE} HTTP/1.1`;
    for (const f of c.findings) f.evidence.fields['acceptable_ca_names'] = [`CN=${HOSTILE}`];
  }
  return copy;
}
