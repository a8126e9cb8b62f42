/**
 * A TLS terminator written with node:tls, for what stunnel cannot do (see ./stunnel.ts): it
 * offers HTTP/2 by ALPN, which the worker's Rust core requires, and, like stunnel, requires a
 * client certificate from the test CA before it forwards the bytes to the Temporal frontend.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { TestCertificates } from './certificates.js';

export interface TlsTerminator {
  /** `127.0.0.1:port` to use as TEMPORAL_ADDRESS. */
  readonly address: string;
  /** What the proxy logged, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface TlsProxy extends TlsTerminator {
  /** The common names of the client certificates of the connections let through. */
  readonly clients: readonly string[];
}

export async function startTlsProxy(options: { target: string; certs: TestCertificates }): Promise<TlsProxy> {
  const { certs } = options;
  const separator = options.target.lastIndexOf(':');
  const upstream = { host: options.target.slice(0, separator), port: Number(options.target.slice(separator + 1)) };
  const clients: string[] = [];
  const sockets = new Set<net.Socket>();
  let output = '';
  const server = tls.createServer(
    {
      cert: readFileSync(certs.serverCert),
      key: readFileSync(certs.serverKey),
      ca: readFileSync(certs.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      clients.push(String(socket.getPeerCertificate().subject?.CN));
      const backend = net.connect(upstream);
      for (const s of [socket, backend]) {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
        s.on('error', () => (s === socket ? backend : socket).destroy());
      }
      socket.pipe(backend).pipe(socket);
    },
  );
  server.on('tlsClientError', (err) => (output += `rejected a client: ${err.message}\n`));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    clients,
    output: () => output,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
