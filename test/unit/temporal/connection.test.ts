/**
 * The Temporal connection settings: TEMPORAL_* variables over temporal.toml profiles over the
 * defaults, turned into client and worker options, with errors that name what to fix. Real
 * files in a temp dir; no server (a dev server cannot verify API keys, so the API key is checked
 * in the options here rather than end to end).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { MlopsError } from '../../../src/errors.js';
import { connectionFailure, loadTemporalSettings, plainTemporalSettings, temporalConnectionOptions } from '../../../src/temporal/connection.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'temporal-connection-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Options as the client and the worker would get them from `env` alone. */
const optionsFor = (env: NodeJS.ProcessEnv) => temporalConnectionOptions(loadConfig({ MLOPS_HOME: dir, ...env }));

function usageError(fn: () => unknown): MlopsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlopsError);
    expect((err as MlopsError).type).toBe('UsageError');
    return err as MlopsError;
  }
  throw new Error('expected a UsageError');
}

async function tomlFile(text: string): Promise<string> {
  const file = path.join(dir, 'temporal.toml');
  await writeFile(file, text);
  return file;
}

describe('defaults', () => {
  it('localhost:7233, namespace default, no TLS, no API key', () => {
    const options = optionsFor({});
    expect(options).toMatchObject({ address: 'localhost:7233', namespace: 'default', security: 'no TLS' });
    expect(options.native).toEqual({ address: 'localhost:7233', tls: undefined, apiKey: undefined, metadata: undefined });
    expect(options.client).toMatchObject({ address: 'localhost:7233', connectTimeout: '5s' });
    expect(options.client.tls).toBeUndefined();
  });

  it('empty variables count as unset (TEMPORAL_TLS= does not turn TLS off or on)', () => {
    expect(optionsFor({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_TLS: '' })).toMatchObject({ address: 'localhost:7233', namespace: 'default', security: 'no TLS' });
  });
});

describe('variables', () => {
  it('TEMPORAL_API_KEY reaches both connection kinds and turns TLS on', () => {
    const options = optionsFor({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'secret-key' });
    expect(options.client.apiKey).toBe('secret-key');
    expect(options.native.apiKey).toBe('secret-key');
    expect(options.native.tls).toBe(true);
    expect(options.client.tls).toBe(true);
    expect(options.security).toBe('TLS + API key');
    expect(options).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct' });
  });

  it('TEMPORAL_TLS=false keeps an API key on a plain connection', () => {
    const options = optionsFor({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' });
    expect(options.native).toMatchObject({ apiKey: 'k', tls: false });
    expect(options.security).toBe('no TLS + API key');
  });

  it('TEMPORAL_TLS_* files are read into the TLS config; TEMPORAL_TLS_SERVER_NAME overrides the host name', async () => {
    await Promise.all(['ca.pem', 'client.pem', 'client.key'].map((f) => writeFile(path.join(dir, f), `${f} contents`)));
    const options = optionsFor({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = options.native.tls as { serverNameOverride?: string; serverRootCACertificate?: Uint8Array; clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('ca.pem contents');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('client.pem contents');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('client.key contents');
    expect(options.client.tls).toBe(options.native.tls);
    expect(options.security).toBe('mTLS');
  });

  it('TEMPORAL_TLS_CLIENT_CERT_DATA / _KEY_DATA carry the PEM inline', () => {
    const options = optionsFor({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY' });
    const tls = options.native.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CERT');
    expect(options.security).toBe('mTLS');
  });

  it('TEMPORAL_GRPC_META_* become gRPC metadata (names lower case, "_" as "-")', () => {
    expect(optionsFor({ TEMPORAL_GRPC_META_X_TENANT: 'blue' }).native.metadata).toEqual({ 'x-tenant': 'blue' });
  });
});

describe('temporal.toml profiles', () => {
  const profiles = `
[profile.default]
address = "default-host:7233"

[profile.prod]
address = "prod-host:7233"
namespace = "prod-ns"
api_key = "prod-key"

[profile.prod.grpc_meta]
x-team = "ml"
`;

  it('TEMPORAL_PROFILE picks one; loadConfig reports its address and namespace', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile(profiles);
    const config = loadConfig({ MLOPS_HOME: dir, TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE: 'prod' });
    expect(config).toMatchObject({ temporalAddress: 'prod-host:7233', namespace: 'prod-ns' });
    const options = temporalConnectionOptions(config);
    expect(options.native).toMatchObject({ address: 'prod-host:7233', apiKey: 'prod-key', tls: true, metadata: { 'x-team': 'ml' } });
  });

  it('without TEMPORAL_PROFILE the "default" profile applies', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile(profiles);
    expect(loadConfig({ MLOPS_HOME: dir, TEMPORAL_CONFIG_FILE }).temporalAddress).toBe('default-host:7233');
  });

  it('variables win over the profile, setting by setting (as in the Temporal CLI)', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile(profiles);
    const config = loadConfig({ MLOPS_HOME: dir, TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'from-env', TEMPORAL_GRPC_META_X_TEAM: '' });
    expect(config).toMatchObject({ temporalAddress: 'prod-host:7233', namespace: 'from-env' });
    // An empty TEMPORAL_GRPC_META_* removes the profile's header.
    expect(temporalConnectionOptions(config).native.metadata).toEqual({});
  });

  it('the default file is $XDG_CONFIG_HOME/temporalio/temporal.toml (or ~/.config/…)', async () => {
    await writeFile(path.join(dir, 'temporal.toml'), profiles);
    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'temporalio'), { recursive: true });
    await writeFile(path.join(xdg, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "xdg-host:7233"\n');
    expect(loadConfig({ MLOPS_HOME: dir, XDG_CONFIG_HOME: xdg }).temporalAddress).toBe('xdg-host:7233');
  });
});

describe('errors that say what to fix', () => {
  it('an unknown profile names TEMPORAL_PROFILE, the file and the profiles there', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile('[profile.default]\n[profile.staging]\naddress = "s:7233"\n');
    const err = usageError(() => loadConfig({ TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE: 'prod' }));
    expect(err.message).toBe(`TEMPORAL_PROFILE=prod: no [profile.prod] in TEMPORAL_CONFIG_FILE=${TEMPORAL_CONFIG_FILE}; add it there or set TEMPORAL_PROFILE to one of: default, staging`);
  });

  it('bad TOML names the file and the parser error', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile('[profile.default\naddress = 1\n');
    const err = usageError(() => loadConfig({ TEMPORAL_CONFIG_FILE }));
    expect(err.message).toMatch(new RegExp(`^TEMPORAL_CONFIG_FILE=${TEMPORAL_CONFIG_FILE} is not valid TOML \\(line 1, column \\d+\\): .+; fix the file, or point TEMPORAL_CONFIG_FILE at another one$`));
  });

  it('a TEMPORAL_CONFIG_FILE that does not exist', () => {
    const err = usageError(() => loadConfig({ TEMPORAL_CONFIG_FILE: path.join(dir, 'nope.toml') }));
    expect(err.message).toContain(`TEMPORAL_CONFIG_FILE=${path.join(dir, 'nope.toml')} does not exist`);
  });

  it('an unreadable certificate file names the variable that set it', () => {
    const err = usageError(() => optionsFor({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'missing-ca.pem') }));
    expect(err.message).toMatch(/^cannot read the server CA certificate .*missing-ca\.pem \(from TEMPORAL_TLS_SERVER_CA_CERT_PATH\): ENOENT.*; fix the path/);
  });

  it('an unreadable certificate from a profile names the TOML key, profile and file', async () => {
    const TEMPORAL_CONFIG_FILE = await tomlFile(`[profile.secure.tls]\nclient_cert_path = "${dir}/c.pem"\nclient_key_path = "${dir}/k.pem"\n`);
    const err = usageError(() => optionsFor({ TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE: 'secure' }));
    expect(err.message).toContain(`cannot read the client certificate ${dir}/c.pem (from tls.client_cert_path of [profile.secure] in TEMPORAL_CONFIG_FILE=${TEMPORAL_CONFIG_FILE})`);
  });

  it('a client certificate without its key (which envconfig would silently drop)', () => {
    const err = usageError(() => optionsFor({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT' }));
    expect(err.message).toBe('TEMPORAL_TLS_CLIENT_CERT_DATA sets a client certificate but no client private key is set: set TEMPORAL_TLS_CLIENT_KEY_PATH (or tls.client_key_path in the profile) too');
  });

  it('both _PATH and _DATA for one file', () => {
    const err = usageError(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT', TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.pem' }));
    expect(err.message).toContain('Cannot specify both client_cert_path and client_cert_data');
  });

  it('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION, which the TypeScript SDK cannot honour', () => {
    const err = usageError(() => loadConfig({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }));
    expect(err.message).toContain('set TEMPORAL_TLS_SERVER_NAME');
  });

  it('a failed connect names the address, the security in use and the transport-level cause', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const options = temporalConnectionOptions({ temporalAddress: `127.0.0.1:${closed}`, namespace: 'default', temporal: loadTemporalSettings({ TEMPORAL_API_KEY: 'k' }) });
    const err = await connectionFailure(options, new Error('Failed to connect before the deadline'));
    expect(err.message).toMatch(new RegExp(`^cannot reach the Temporal server at 127\\.0\\.0\\.1:${closed} \\(namespace default, TLS \\+ API key\\): Failed to connect before the deadline \\(TLS handshake: .*ECONNREFUSED.*\\); check TEMPORAL_ADDRESS`));
  });
});

it('plainTemporalSettings ignores whatever the environment says (mlops dev talks to its own server)', () => {
  const options = temporalConnectionOptions({ temporalAddress: '127.0.0.1:7233', namespace: 'default', temporal: plainTemporalSettings('127.0.0.1:7233', 'default') });
  expect(options.native).toMatchObject({ tls: undefined, apiKey: undefined });
  expect(options.security).toBe('no TLS');
});
