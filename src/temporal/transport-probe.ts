/**
 * Why a Temporal address cannot be reached, found with a bare TCP connect or TLS handshake
 * after a failed connect: grpc-js reports only "Failed to connect before the deadline" and keeps
 * the TLS alert (no client certificate, unknown CA, wrong host name) to itself.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** A TLS 1.3 server refuses a client certificate after the client's side of the handshake is done; wait this long for that alert. */
const LATE_ALERT_MS = 300;

/**
 * Connects to `address` (`host:port`, port 7233 when left out) as the SDK would, and resolves
 * to the reason it fails (`TLS handshake: … certificate required`, `TCP connect: … ECONNREFUSED`),
 * or undefined when the transport works (the failure is then above it).
 */
export async function probeTransport(address: string, tlsOption: NativeConnectionOptions['tls'], timeoutMs = 3_000): Promise<string | undefined> {
  const url = new URL(`grpc://${address}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 7233);
  const config = typeof tlsOption === 'object' ? (tlsOption ?? undefined) : tlsOption ? {} : undefined;
  return new Promise((resolve) => {
    const socket = config
      ? tls.connect({
          host,
          port,
          servername: config.serverNameOverride ?? (net.isIP(host) ? undefined : host),
          ca: config.serverRootCACertificate && Buffer.from(config.serverRootCACertificate),
          cert: config.clientCertPair && Buffer.from(config.clientCertPair.crt),
          key: config.clientCertPair && Buffer.from(config.clientCertPair.key),
          ALPNProtocols: ['h2'],
        })
      : net.connect({ host, port });
    const stage = config ? 'TLS handshake' : 'TCP connect';
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`${stage}: no answer within ${timeoutMs} ms`), timeoutMs);
    // OpenSSL errors carry a readable `reason` ("tlsv13 alert certificate required") beside a message full of codes.
    socket.once('error', (err: Error & { reason?: string }) => done(`${stage}: ${err.reason ?? err.message}`));
    socket.once(config ? 'secureConnect' : 'connect', () => {
      if (!config) return done(undefined);
      socket.once('close', () => done(`${stage}: the server closed the connection`));
      setTimeout(() => done(undefined), LATE_ALERT_MS);
    });
  });
}
