/**
 * Debian's stunnel4 in server mode in front of a Temporal frontend: TLS with a required client
 * certificate signed by the test CA (`verifyChain` + `requireCert`), forwarding plain TCP.
 *
 * stunnel 5 negotiates no ALPN (there is no option for it, and `config =` only passes
 * SSL_CONF_cmd commands, which have none). grpc-js (the client) does not insist on ALPN and works
 * through it; the worker's Rust core (tonic) refuses the connection with "HTTP/2 was not
 * negotiated" (H2NotNegotiated). Workers are therefore tested through ./tls-proxy.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../../src/temporal/dev-server.js';
import type { TestCertificates } from './certificates.js';
import type { TlsTerminator } from './tls-proxy.js';

const candidates = ['/usr/bin/stunnel4', '/usr/bin/stunnel', '/usr/local/bin/stunnel'];

/** Starts stunnel with its config in `dir`, accepting on a free 127.0.0.1 port and forwarding to `target` (host:port). */
export async function startStunnel(options: { target: string; certs: TestCertificates; dir: string }): Promise<TlsTerminator> {
  const binary = candidates.find((file) => existsSync(file));
  if (!binary) throw new Error('stunnel is not installed: run "apt-get install stunnel4" (.ci/run does it as root)');
  const [port] = await freePorts('127.0.0.1', 1);
  const conf = path.join(options.dir, 'stunnel.conf');
  await writeFile(
    conf,
    [
      'foreground = yes',
      'pid =',
      'debug = notice',
      '[temporal]',
      `accept = 127.0.0.1:${port}`,
      `connect = ${options.target}`,
      `cert = ${options.certs.serverCert}`,
      `key = ${options.certs.serverKey}`,
      `CAfile = ${options.certs.caCert}`,
      'verifyChain = yes',
      'requireCert = yes',
      '',
    ].join('\n'),
  );
  const child = spawn(binary, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  try {
    await waitForPort(address, exited, () => output);
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
  return { address, output: () => output, stop: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}

/** Resolves once `address` accepts TCP; rejects if the process exits first or after 15 s. */
async function waitForPort(address: string, exited: Promise<void>, output: () => string): Promise<void> {
  const separator = address.lastIndexOf(':');
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 15_000;
  while (!gone && Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address.slice(0, separator), port: Number(address.slice(separator + 1)) });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`stunnel did not listen on ${address}${gone ? ' (it exited)' : ' within 15 s'}:\n${output()}`);
}
