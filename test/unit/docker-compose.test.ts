/**
 * docker-compose.yml cannot run here (no Docker engine), so check what can be checked without
 * one: structure, references between services, the GPU reservation, ports, volumes, the shared
 * state (S3 and the registry database, never a shared disk), and the Dockerfiles it builds.
 * `docker compose config -q` validates the schema where a compose CLI exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { devServerTuning } from '../../src/temporal/dev-server.js';
import { searchAttributeFlagValues } from '../../src/temporal/search-attributes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const composeFile = path.join(root, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  entrypoint?: string | string[];
  ports?: (string | { target: number; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: { test: string | string[] };
  restart?: string;
  deploy?: { resources?: { reservations?: { devices?: { capabilities?: string[]; driver?: string; count?: number | string }[] } } };
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const mlopsServices = services.filter(([name]) => name.startsWith('mlops-'));

function env(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v ?? '')]));
}

/** A value as compose hands it to the container when the host sets none of the variables: `${X:-default}` → default. */
function interpolated(value: string): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    if (fallback === undefined) throw new Error(`\${${name}} has no default; give it one (\${${name}:-...}) so the stack starts without a .env`);
    return fallback;
  });
}

function containerEnv(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(env(service)).map(([k, v]) => [k, interpolated(v)]));
}

function dependencies(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']));
}

function commandWords(service: Service): string[] {
  const cmd = service.command ?? [];
  return Array.isArray(cmd) ? cmd : cmd.split(/\s+/);
}

function dockerfileOf(service: Service): string | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.resolve(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

/** Named volumes a service mounts (bind mounts start with . or /). */
function namedVolumes(service: Service): string[] {
  return (service.volumes ?? [])
    .map((v) => (typeof v === 'string' ? v.split(':')[0]! : (v.type ?? 'volume') === 'volume' ? (v.source ?? '') : ''))
    .filter((source) => source && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('$'));
}

describe('docker-compose.yml', () => {
  it('has the production topology', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'minio', 'minio-setup', 'registry-db', 'mlops-worker', 'mlops-gpu-worker', 'mlops-serve']),
    );
    expect(compose.services.temporal!.image).toMatch(/^temporalio\/(auto-setup|server):\d/);
    expect(env(compose.services.temporal!)).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  });

  it('gives every service a pinned image or a build whose Dockerfile exists', () => {
    for (const [name, service] of services) {
      const dockerfile = dockerfileOf(service);
      expect(service.image || dockerfile, `${name}: image or build`).toBeTruthy();
      if (dockerfile) {
        expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
        // BuildKit's per-Dockerfile ignore file keeps node_modules and .git out of the context.
        expect(readFileSync(`${dockerfile}.dockerignore`, 'utf8'), `${name}: ${dockerfile}.dockerignore`).toMatch(/^node_modules$/m);
      } else {
        expect(service.image, `${name}: pin a tag`).toMatch(/:[\w.-]+$/);
        expect(service.image, `${name}: pin a tag`).not.toMatch(/:latest$/);
      }
    }
  });

  it('depends only on defined services, with healthchecks behind service_healthy', () => {
    for (const [name, service] of services) {
      for (const [dep, condition] of Object.entries(dependencies(service))) {
        expect(compose.services, `${name} depends on ${dep}`).toHaveProperty([dep]);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') expect(compose.services[dep]!.healthcheck, `${dep} healthcheck`).toBeDefined();
      }
    }
    expect(dependencies(compose.services.temporal!)).toEqual({ postgresql: 'service_healthy' });
  });

  it('points every TEMPORAL_ADDRESS at the temporal service', () => {
    const withAddress = services.filter(([, s]) => env(s).TEMPORAL_ADDRESS !== undefined);
    expect(withAddress.map(([n]) => n)).toEqual(expect.arrayContaining(mlopsServices.map(([n]) => n)));
    for (const [name, service] of withAddress) {
      expect(env(service).TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    }
    expect(compose.services.temporal!.ports).toContain('7233:7233');
  });

  it('runs the GPU worker with `worker --gpu` on a reserved NVIDIA GPU', () => {
    const gpu = compose.services['mlops-gpu-worker']!;
    expect(commandWords(gpu)).toEqual(['worker', '--gpu']);
    const devices = gpu.deploy?.resources?.reservations?.devices ?? [];
    expect(devices.some((d) => d.capabilities?.includes('gpu') && d.driver === 'nvidia')).toBe(true);

    const dockerfile = readFileSync(dockerfileOf(gpu)!, 'utf8');
    expect(dockerfile).toMatch(/nvidia\/cuda:11\.2[\d.]*-cudnn8/);
    expect(dockerfile).toContain('@tensorflow/tfjs-node-gpu');
    expect(commandWords(compose.services['mlops-worker']!)).toEqual(['worker']);
  });

  it('serves models on port 8501 with a healthcheck', () => {
    const serve = compose.services['mlops-serve']!;
    const words = commandWords(serve);
    expect(words[0]).toBe('serve');
    expect(words[words.indexOf('--port') + 1]).toBe('8501');
    // Loopback only, and never without a token.
    expect(serve.ports).toEqual(['127.0.0.1:8501:8501']);
    expect(String((serve.environment as Record<string, unknown> | undefined)?.['MLOPS_SERVE_TOKEN'])).toMatch(/^\$\{MLOPS_SERVE_TOKEN:-.{16,}\}$/);
    expect(JSON.stringify(serve.healthcheck?.test)).toContain('8501');
  });

  it('declares its volumes, and no named volume is shared by two mlops services', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of services) {
      for (const volume of namedVolumes(service)) expect(declared, `${name} mounts ${volume}`).toContain(volume);
    }
    const mountedBy = new Map<string, string[]>();
    for (const [name, service] of mlopsServices) {
      for (const volume of namedVolumes(service)) mountedBy.set(volume, [...(mountedBy.get(volume) ?? []), name]);
    }
    for (const [volume, users] of mountedBy) expect(users, `volume ${volume}`).toHaveLength(1);
    // A writable host folder is a shared disk too (config files mounted :ro are fine).
    for (const [name, service] of mlopsServices) {
      const binds = (service.volumes ?? []).filter((v): v is string => typeof v === 'string' && /^[.\/$]/.test(v));
      for (const bind of binds) expect(bind, `${name} mounts a host folder`).toMatch(/:ro$/);
    }
    // A service without a fixed host port may be scaled (--scale), and its replicas would share a named volume.
    for (const [name, service] of mlopsServices.filter(([, s]) => !s.ports?.length)) {
      expect(namedVolumes(service), `${name} (scalable)`).toEqual([]);
    }
  });

  it('gives every mlops service its own MLOPS_HOME, artifacts on S3 and the registry on PostgreSQL', () => {
    for (const [name, service] of mlopsServices) {
      const vars = containerEnv(service);
      expect(vars.MLOPS_HOME, name).toMatch(/^\//);
      expect(vars.MLOPS_ARTIFACTS, name).toMatch(/^s3:\/\//);
      expect(vars.MLOPS_S3_ENDPOINT, name).toMatch(/^https?:\/\/[\w.-]+:\d+$/);
      expect(vars.MLOPS_REGISTRY, name).toMatch(/^postgres:\/\//);
      // Read by the code's own parser, as the container will.
      const config = loadConfig(vars);
      expect(config.artifacts, name).toMatchObject({ kind: 's3', bucket: expect.any(String), endpoint: vars.MLOPS_S3_ENDPOINT });
      expect(config.registry, name).toMatchObject({ kind: 'postgres' });
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
        // From the host's environment, with a development default.
        expect(env(service)[key], `${name} ${key}`).toMatch(new RegExp(`^\\$\\{${key}:-.+\\}$`));
      }
    }
  });

  it('runs the S3 service with a healthcheck and creates the bucket before any mlops service starts', () => {
    const endpoint = new URL(containerEnv(mlopsServices[0]![1]).MLOPS_S3_ENDPOINT!);
    const s3 = compose.services[endpoint.hostname];
    expect(s3, `the S3 service ${endpoint.hostname}`).toBeDefined();
    expect(s3!.healthcheck).toBeDefined();
    expect(commandWords(s3!)).toContain('server');
    const s3Env = containerEnv(s3!);

    const { bucket } = loadConfig(containerEnv(mlopsServices[0]![1])).artifacts as { bucket: string };
    const makesBucket = new RegExp(`mc mb --ignore-existing \\S+/${bucket}\\b`);
    const setup = services.find(([, s]) => dependencies(s)[endpoint.hostname] === 'service_healthy' && makesBucket.test(commandWords(s).join(' ')));
    expect(setup, `a one-shot service that runs "mc mb" for the bucket ${bucket}`).toBeDefined();
    const [setupName, setupService] = setup!;
    expect(commandWords(setupService).join(' ')).toContain(`${endpoint.protocol}//${endpoint.host}`);
    expect(setupService.restart).toBe('no');

    for (const [name, service] of mlopsServices) {
      const vars = containerEnv(service);
      expect(new URL(vars.MLOPS_S3_ENDPOINT!).host, name).toBe(endpoint.host);
      expect(dependencies(service), name).toMatchObject({ [endpoint.hostname]: 'service_healthy', [setupName]: 'service_completed_successfully' });
      // The mlops services sign with the key the S3 server accepts.
      expect(vars.AWS_ACCESS_KEY_ID, name).toBe(s3Env.MINIO_ROOT_USER);
      expect(vars.AWS_SECRET_ACCESS_KEY, name).toBe(s3Env.MINIO_ROOT_PASSWORD);
    }
  });

  it('runs the registry database with a healthcheck that every mlops service waits for', () => {
    const url = new URL(containerEnv(mlopsServices[0]![1]).MLOPS_REGISTRY!);
    const db = compose.services[url.hostname];
    expect(db, `the registry database service ${url.hostname}`).toBeDefined();
    expect(db!.image).toMatch(/^postgres:/);
    expect(JSON.stringify(db!.healthcheck?.test)).toContain('pg_isready');
    // The image creates this database and role on its first start.
    expect(containerEnv(db!)).toMatchObject({
      POSTGRES_DB: url.pathname.slice(1),
      POSTGRES_USER: decodeURIComponent(url.username),
      POSTGRES_PASSWORD: decodeURIComponent(url.password),
    });
    for (const [name, service] of mlopsServices) {
      expect(containerEnv(service).MLOPS_REGISTRY, name).toBe(url.href);
      expect(dependencies(service)[url.hostname], name).toBe('service_healthy');
    }
  });

  it('registers exactly the search attributes the code defines', () => {
    const setup = JSON.stringify(compose.services['temporal-setup']?.command ?? '');
    for (const value of searchAttributeFlagValues) expect(setup).toContain(value);
  });

  it('gives Temporal the dynamic config the dev server runs with (eager activity execution)', () => {
    const temporal = compose.services.temporal!;
    const mount = (temporal.volumes ?? []).find((v): v is string => typeof v === 'string' && v.includes('dynamicconfig'));
    expect(mount).toBeDefined();
    const [source, target] = mount!.split(':') as [string, string];
    expect(target).toBe(`/etc/temporal/${env(temporal).DYNAMIC_CONFIG_FILE_PATH}`);
    const config = parse(readFileSync(path.resolve(root, source), 'utf8')) as Record<string, { value: unknown }[]>;
    expect(config['system.enableActivityEagerExecution']?.[0]?.value).toBe(true);
    expect(devServerTuning).toContain('system.enableActivityEagerExecution=true');
  });

  it('builds the app image from node:20-bookworm-slim with the mlops entrypoint', () => {
    const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/mlops.js"]');
    expect(existsSync(path.join(root, 'bin/mlops.js'))).toBe(true);
  });

  const composeCli = findComposeCli();
  it.skipIf(!composeCli)(`validates with ${composeCli?.join(' ') ?? 'a compose CLI'} config -q`, () => {
    const [cmd, ...args] = composeCli!;
    const result = spawnSync(cmd!, [...args, '-f', composeFile, 'config', '-q'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

/** `docker compose` (v2 plugin) or `docker-compose` (v1); both validate without a daemon. */
function findComposeCli(): string[] | undefined {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const [cmd, ...args] = candidate;
    const probe = spawnSync(cmd!, [...args, 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
