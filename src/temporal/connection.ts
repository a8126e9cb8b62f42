/**
 * The Temporal connection, configured as the Temporal CLI configures its own: TEMPORAL_*
 * variables over a `temporal.toml` profile over the defaults (`localhost:7233`, namespace
 * `default`, no TLS), resolved by `@temporalio/envconfig`. One set of settings gives the options
 * of both connection kinds: `Connection.connect` (client, grpc-js) and `NativeConnection.connect`
 * (worker, Rust core).
 *
 * Only types come from the client and worker packages, so `loadConfig` can resolve the settings
 * without loading the native worker module.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from '@temporalio/client';
import { loadClientConfig, loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ClientConfigTLS } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { errorMessage, MlopsError } from '../errors.js';
import { probeTransport } from './transport-probe.js';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** The TLS files a profile can name, with the variable and TOML key that set each. */
const tlsFiles = {
  clientCert: { variable: 'TEMPORAL_TLS_CLIENT_CERT', key: 'tls.client_cert', what: 'client certificate' },
  clientKey: { variable: 'TEMPORAL_TLS_CLIENT_KEY', key: 'tls.client_key', what: 'client private key' },
  serverCACert: { variable: 'TEMPORAL_TLS_SERVER_CA_CERT', key: 'tls.server_ca_cert', what: 'server CA certificate' },
} as const;
type TlsFile = keyof typeof tlsFiles;

/** What the environment and the selected `temporal.toml` profile say about the Temporal connection. */
export interface TemporalSettings {
  /** `host:port` of the frontend: TEMPORAL_ADDRESS, else the profile's `address`, else `localhost:7233`. */
  readonly address: string;
  /** TEMPORAL_NAMESPACE, else the profile's `namespace`, else `default`. */
  readonly namespace: string;
  /** TLS, API key and gRPC metadata, variables already applied over the profile (file contents not read yet). */
  readonly profile: Readonly<ClientConfigProfile>;
  /** Where each TLS file setting came from (`TEMPORAL_TLS_CLIENT_CERT_PATH`, or a TOML key in a file), for error messages. */
  readonly origins: Readonly<Partial<Record<TlsFile, string>>>;
}

/** Options for both connection kinds, plus what a failure message needs. */
export interface TemporalConnectionOptions {
  readonly address: string;
  readonly namespace: string;
  /** For `Connection.connect` (`@temporalio/client`). */
  readonly client: ConnectionOptions;
  /** For `NativeConnection.connect` (`@temporalio/worker`). */
  readonly native: NativeConnectionOptions;
  /** `no TLS`, `TLS` or `mTLS`, with `+ API key` when one is sent. */
  readonly security: string;
}

/**
 * Resolves TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
 * TEMPORAL_GRPC_META_*, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE, synchronously (for
 * `loadConfig`). Empty variables count as unset, except TEMPORAL_GRPC_META_* where an empty
 * value removes a header the profile sets.
 */
export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const vars = setVariables(env);
  if (vars.TEMPORAL_CONFIG_FILE && !existsSync(vars.TEMPORAL_CONFIG_FILE)) {
    throw new MlopsError('UsageError', `TEMPORAL_CONFIG_FILE=${vars.TEMPORAL_CONFIG_FILE} does not exist: create it (a temporal.toml with [profile.NAME] tables) or unset TEMPORAL_CONFIG_FILE`);
  }
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    throw new MlopsError(
      'UsageError',
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the Temporal TypeScript SDK: unset it and set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate (and TEMPORAL_TLS_SERVER_CA_CERT_PATH to its CA)',
    );
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    throw profileError(err, vars);
  }
  const profileName = vars.TEMPORAL_PROFILE ?? 'default';
  const origins: Partial<Record<TlsFile, string>> = {};
  for (const [field, names] of Object.entries(tlsFiles) as [TlsFile, (typeof tlsFiles)[TlsFile]][]) {
    const source = profile.tls?.[field];
    if (!source) continue;
    const suffix = 'path' in source ? '_PATH' : '_DATA';
    origins[field] = vars[names.variable + suffix] !== undefined ? names.variable + suffix : `${names.key}${suffix.toLowerCase()} of [profile.${profileName}] in ${configFileLabel(vars)}`;
  }
  return Object.freeze({
    address: profile.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    profile: Object.freeze(profile),
    origins: Object.freeze(origins),
  });
}

/** Settings for a server of our own with no TLS (`mlops dev`), whatever the environment says. */
export function plainTemporalSettings(address: string, namespace: string): TemporalSettings {
  return Object.freeze({ address, namespace, profile: Object.freeze({ address, namespace }), origins: Object.freeze({}) });
}

/**
 * Where and how to connect: the Temporal part of an `MlopsConfig` (from `loadConfig()`), named
 * here so this module does not import config.ts, which imports it.
 */
export interface TemporalTarget {
  /** The frontend's host:port. */
  readonly temporalAddress: string;
  readonly namespace: string;
  /** TLS, mTLS, API key and gRPC metadata ({@link loadTemporalSettings}). */
  readonly temporal: TemporalSettings;
}

/**
 * Connection options for the client and the worker: the config's address and namespace (which
 * `mlops dev` may point at its own server) with the TLS, API key and metadata of its Temporal
 * settings. Reads the certificate files; a missing or unreadable one is a UsageError naming the
 * variable or TOML key that set it.
 *
 * ```js
 * const { native, client } = temporalConnectionOptions(loadConfig());
 * ```
 */
export function temporalConnectionOptions(config: TemporalTarget): TemporalConnectionOptions {
  const { profile, origins } = config.temporal;
  assertCertificatePair(profile.tls, origins);
  let connectionOptions: NativeConnectionOptions;
  try {
    ({ connectionOptions } = toClientOptions(profile));
  } catch (err) {
    throw tlsFileError(err, profile.tls, origins);
  }
  const { tls, apiKey, metadata } = connectionOptions;
  const shared = { address: config.temporalAddress, tls, apiKey, metadata };
  return Object.freeze({
    address: config.temporalAddress,
    namespace: config.namespace,
    client: { ...shared, connectTimeout: '5s' },
    native: shared,
    security: describeSecurity(tls, apiKey),
  });
}

/**
 * The error for a failed connect: address, namespace, TLS/mTLS/API key, the cause (with what a
 * bare TCP connect or TLS handshake says, when that fails too) and what to try.
 */
export async function connectionFailure(options: TemporalConnectionOptions, err: unknown): Promise<MlopsError> {
  const transport = await probeTransport(options.address, options.native.tls);
  const cause = transport ? `${errorMessage(err)} (${transport})` : errorMessage(err);
  const hint = /H2NotNegotiated|HTTP\/2 was not negotiated/.test(cause)
    ? 'the TLS endpoint did not offer HTTP/2 by ALPN, which workers (the Rust core) require: terminate TLS at the Temporal frontend or at a proxy that negotiates "h2" (a plain TLS tunnel such as stunnel cannot)'
    : options.security === 'no TLS'
      ? 'start one with "mlops server", or set TEMPORAL_ADDRESS (and TEMPORAL_TLS_* or TEMPORAL_API_KEY for a secured server)'
      : 'check TEMPORAL_ADDRESS, the certificates (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME) or TEMPORAL_API_KEY, or the TEMPORAL_PROFILE in use';
  return new MlopsError('UsageError', `cannot reach the Temporal server at ${options.address} (namespace ${options.namespace}, ${options.security}): ${cause}; ${hint}`, {
    address: options.address,
    security: options.security,
  });
}

function describeSecurity(tls: NativeConnectionOptions['tls'], apiKey: string | undefined): string {
  const transport = !tls ? 'no TLS' : typeof tls === 'object' && tls.clientCertPair ? 'mTLS' : 'TLS';
  return apiKey ? `${transport} + API key` : transport;
}

/** envconfig silently drops a client certificate without its key (and the reverse); the server would then refuse us with a vaguer error. */
function assertCertificatePair(tls: ClientConfigTLS | undefined, origins: TemporalSettings['origins']): void {
  if (tls?.disabled) return;
  for (const [present, missing] of [['clientCert', 'clientKey'], ['clientKey', 'clientCert']] as const) {
    if (tls?.[present] && !tls[missing]) {
      throw new MlopsError('UsageError', `${origins[present]} sets a ${tlsFiles[present].what} but no ${tlsFiles[missing].what} is set: set ${tlsFiles[missing].variable}_PATH (or ${tlsFiles[missing].key}_path in the profile) too`);
    }
  }
}

function tlsFileError(err: unknown, tls: ClientConfigTLS | undefined, origins: TemporalSettings['origins']): MlopsError {
  const failedPath = (err as NodeJS.ErrnoException).path;
  const field = (Object.keys(tlsFiles) as TlsFile[]).find((f) => {
    const source = tls?.[f];
    return source && 'path' in source && source.path === failedPath;
  });
  if (!field) return new MlopsError('UsageError', `the Temporal TLS settings cannot be used: ${errorMessage(err)}`);
  return new MlopsError('UsageError', `cannot read the ${tlsFiles[field].what} ${failedPath} (from ${origins[field]}): ${errorMessage(err)}; fix the path or the file's permissions`);
}

function profileError(err: unknown, vars: Record<string, string>): MlopsError {
  const file = configFileLabel(vars);
  const message = errorMessage(err);
  const missing = /^Profile '(.*)' not found/.exec(message);
  if (missing) {
    const known = Object.keys(loadClientConfig({ overrideEnvVars: vars }).profiles);
    const choices = known.length ? `one of: ${known.join(', ')}` : 'none: the file has no [profile.NAME] tables';
    return new MlopsError('UsageError', `TEMPORAL_PROFILE=${missing[1]}: no [profile.${missing[1]}] in ${file}; add it there or set TEMPORAL_PROFILE to ${choices}`);
  }
  // smol-toml's TomlError (not a dependency of ours to import): "Invalid TOML document: …" with a line and column.
  const toml = err as { line?: unknown; column?: unknown };
  if (message.startsWith('Invalid TOML document') && typeof toml.line === 'number') {
    const reason = message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return new MlopsError('UsageError', `${file} is not valid TOML (line ${toml.line}, column ${String(toml.column)}): ${reason}; fix the file, or point TEMPORAL_CONFIG_FILE at another one`);
  }
  return new MlopsError('UsageError', `the Temporal connection settings (TEMPORAL_* variables, ${file}) cannot be loaded: ${message}`);
}

/** The variables envconfig reads (TEMPORAL_*, and HOME, XDG_CONFIG_HOME or APPDATA for the default file), without unset or empty ones. */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && (entry[1] !== '' || entry[0].startsWith('TEMPORAL_GRPC_META_'))),
  );
}

/** The config file, named for messages: TEMPORAL_CONFIG_FILE, else envconfig's default location (none without HOME). */
function configFileLabel(vars: Record<string, string>): string {
  if (vars.TEMPORAL_CONFIG_FILE) return `TEMPORAL_CONFIG_FILE=${vars.TEMPORAL_CONFIG_FILE}`;
  const dir =
    process.platform === 'win32' ? vars.APPDATA
    : process.platform === 'darwin' ? vars.HOME && path.join(vars.HOME, 'Library', 'Application Support')
    : vars.XDG_CONFIG_HOME || (vars.HOME && path.join(vars.HOME, '.config'));
  if (!dir) return 'the config file (none: set TEMPORAL_CONFIG_FILE)';
  const file = path.join(dir, 'temporalio', 'temporal.toml');
  return existsSync(file) ? file : `${file} (absent: create it or set TEMPORAL_CONFIG_FILE)`;
}
