/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI: one CA, a server certificate for
 * 127.0.0.1 / localhost, and a client certificate for mTLS. EC P-256 keys keep it fast.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestCertificates {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** The client certificate's common name, to check who the proxy let in. */
  readonly clientName: string;
}

/** Writes the CA, server and client files (PEM) into `dir` and returns their paths. */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  const file = (name: string) => path.join(dir, name);
  const clientName = 'mlops-test-client';
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=mlops-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem')]);
  await signed(dir, 'server', '/CN=localhost', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']);
  await signed(dir, 'client', `/CN=${clientName}`, ['extendedKeyUsage=clientAuth']);
  return {
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    clientName,
  };
}

/** A key, a request, and the certificate the test CA issues for it. */
async function signed(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  const file = (suffix: string) => path.join(dir, `${name}.${suffix}`);
  await writeFile(file('ext'), [...extensions, 'basicConstraints=CA:FALSE'].join('\n'));
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject, '-keyout', file('key'), '-out', file('csr')]);
  await openssl([
    'x509', '-req', '-in', file('csr'), '-days', '1', '-set_serial', String(randomInt(1, 2 ** 47)),
    '-CA', path.join(dir, 'ca.pem'), '-CAkey', path.join(dir, 'ca.key'), '-extfile', file('ext'), '-out', file('pem'),
  ]);
}

async function openssl(args: string[]): Promise<void> {
  await exec('openssl', args).catch((err: Error) => {
    throw new Error(`openssl ${args[0]} failed (${err.message}); install it with "apt-get install openssl"`);
  });
}
