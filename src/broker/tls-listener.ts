import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { createServer, TLSSocket, type Server } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile?: string;
}

/**
 * The MQTTS server. With a CA file it asks every client for a certificate but lets the handshake finish
 * when there is none or it does not verify (rejectUnauthorized: false), so the CONNECT decides: a verified
 * certificate logs the device in by its CN, an unverified one is refused, none falls back to the secret.
 */
export async function createTlsServer(files: TlsFiles, handshakeTimeoutMs: number, onSocket: (socket: TLSSocket) => void): Promise<Server> {
  const [cert, key, ca] = await Promise.all([readFile(files.certFile), readFile(files.keyFile), files.caFile ? readFile(files.caFile) : undefined]);
  return createServer({ cert, key, ca, requestCert: ca !== undefined, rejectUnauthorized: false, handshakeTimeout: handshakeTimeoutMs }, onSocket);
}

/** The client certificate of a TLS connection: its CN when it verified against the CA, 'unverified' when not, undefined when none. */
export function clientCertificate(conn: Duplex): { cn: string } | 'unverified' | undefined {
  if (!(conn instanceof TLSSocket)) return undefined;
  const cert = conn.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const cn: unknown = cert.subject?.CN;
  if (!conn.authorized || typeof cn !== 'string' || cn.length === 0) return 'unverified';
  return { cn };
}
