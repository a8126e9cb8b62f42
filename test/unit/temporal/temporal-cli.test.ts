import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import {
  adoptDownloadedCli,
  cachedTemporalCliPath,
  findTemporalCli,
  TEMPORAL_CLI_MODULE,
  TEMPORAL_CLI_VERSION,
  temporalMlopsCacheDir,
} from '../../../src/temporal/temporal-cli.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'temporal-cli-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeExecutable(file: string, body = 'exit 0'): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** A fake `go` that records its arguments and GOBIN, and "builds" (or fails to build) temporal into GOBIN. */
async function fakeGo(dir: string, { fail = false } = {}): Promise<string> {
  const record = path.join(root, 'go-args');
  const build = fail
    ? `echo 'partial' > "$GOBIN/temporal"; echo 'go: module lookup disabled' >&2; exit 1`
    : `printf '#!/bin/sh\\necho fake temporal\\n' > "$GOBIN/temporal"; /bin/chmod 755 "$GOBIN/temporal"`;
  return writeExecutable(path.join(dir, 'go'), `echo "$@" > '${record}'; echo "$GOBIN" >> '${record}'; ${build}`);
}

/** An environment with nothing in it: no PATH entries, a cache under the temp root. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: path.join(root, 'empty-path'), MLOPS_CACHE_DIR: path.join(root, 'cache'), ...extra };
}

const quiet = { log: () => {}, allowDownload: false } as const;

describe('temporalMlopsCacheDir', () => {
  it('prefers MLOPS_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(temporalMlopsCacheDir({ MLOPS_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(temporalMlopsCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/temporal-mlops');
    expect(temporalMlopsCacheDir({ HOME: '/h' })).toBe('/h/.cache/temporal-mlops');
    expect(cachedTemporalCliPath({ HOME: '/h' })).toBe('/h/.cache/temporal-mlops/bin/temporal');
  });
});

describe('findTemporalCli', () => {
  it('uses TEMPORAL_CLI_PATH first', async () => {
    const exe = await writeExecutable(path.join(root, 'custom', 'temporal'));
    await writeExecutable(path.join(root, 'bin', 'temporal'));
    const env = bareEnv({ TEMPORAL_CLI_PATH: exe, PATH: path.join(root, 'bin') });
    await expect(findTemporalCli({ env, ...quiet })).resolves.toEqual({ path: exe, source: 'env' });
  });

  it('rejects a TEMPORAL_CLI_PATH that is missing or not executable, naming it', async () => {
    const notExe = path.join(root, 'temporal');
    await writeFile(notExe, 'data');
    for (const value of [notExe, path.join(root, 'missing'), root]) {
      const err = await findTemporalCli({ env: bareEnv({ TEMPORAL_CLI_PATH: value }), ...quiet }).catch((e) => e);
      expect(err).toBeInstanceOf(MlopsError);
      expect(err.type).toBe('TemporalCliUnavailable');
      expect(err.message).toContain(`TEMPORAL_CLI_PATH=${value}`);
    }
  });

  it('finds temporal on PATH, skipping non-executable entries', async () => {
    const first = path.join(root, 'a');
    await mkdir(first, { recursive: true });
    await writeFile(path.join(first, 'temporal'), 'not executable');
    const exe = await writeExecutable(path.join(root, 'b', 'temporal'));
    const env = bareEnv({ PATH: [first, '', path.join(root, 'b')].join(path.delimiter) });
    await expect(findTemporalCli({ env, ...quiet })).resolves.toEqual({ path: exe, source: 'path' });
  });

  it('uses the cached build when nothing is on PATH', async () => {
    const env = bareEnv();
    const cached = await writeExecutable(cachedTemporalCliPath(env));
    await fakeGo(path.join(root, 'empty-path'));
    await expect(findTemporalCli({ env, ...quiet })).resolves.toEqual({ path: cached, source: 'cache' });
  });

  it('builds with go install into a temporary GOBIN and renames it into the cache', async () => {
    const goDir = path.join(root, 'go-bin');
    await fakeGo(goDir);
    const env = bareEnv({ PATH: goDir });
    const messages: string[] = [];
    const cli = await findTemporalCli({ env, log: (m) => messages.push(m), allowDownload: false });

    expect(cli).toEqual({ path: cachedTemporalCliPath(env), source: 'go-install' });
    expect(await readFile(cli.path, 'utf8')).toContain('fake temporal');
    const [args, gobin] = (await readFile(path.join(root, 'go-args'), 'utf8')).trim().split('\n');
    expect(args).toBe(`install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`);
    expect(path.dirname(gobin!)).toBe(temporalMlopsCacheDir(env));
    expect(gobin).not.toBe(path.dirname(cli.path));
    expect(await readdir(temporalMlopsCacheDir(env))).toEqual(['bin']);
    expect(messages[0]).toMatch(/^Building the Temporal CLI from Go modules; this takes several minutes the first time/);
    expect(messages[1]).toMatch(/^Built the Temporal CLI v1\.5\.1 in \d+\.\d s/);
  });

  it('finds go in $GOROOT/bin when it is not on PATH', async () => {
    const goroot = path.join(root, 'goroot');
    await fakeGo(path.join(goroot, 'bin'));
    const env = bareEnv({ GOROOT: goroot });
    await expect(findTemporalCli({ env, ...quiet })).resolves.toMatchObject({ source: 'go-install' });
  });

  it('leaves no half-built binary when go install fails, and reports why', async () => {
    const goDir = path.join(root, 'go-bin');
    await fakeGo(goDir, { fail: true });
    const env = bareEnv({ PATH: goDir });
    const err = await findTemporalCli({ env, ...quiet }).catch((e) => e);

    expect(err).toBeInstanceOf(MlopsError);
    expect(err.type).toBe('TemporalCliUnavailable');
    expect(err.message).toContain('go install failed');
    expect(err.message).toContain('module lookup disabled');
    expect(await readdir(temporalMlopsCacheDir(env))).toEqual(['bin']);
    expect(await readdir(path.dirname(cachedTemporalCliPath(env)))).toEqual([]);
  });

  it('does not build when allowBuild is false', async () => {
    const goDir = path.join(root, 'go-bin');
    await fakeGo(goDir);
    const err = await findTemporalCli({ env: bareEnv({ PATH: goDir }), allowBuild: false, ...quiet }).catch((e) => e);
    expect(err.type).toBe('TemporalCliUnavailable');
    await expect(readFile(path.join(root, 'go-args'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names every way out when nothing works', async () => {
    const err = await findTemporalCli({ env: bareEnv(), ...quiet }).catch((e) => e);
    expect(err).toBeInstanceOf(MlopsError);
    expect(err.type).toBe('TemporalCliUnavailable');
    for (const option of ['TEMPORAL_CLI_PATH', 'on PATH', 'install Go', 'TEMPORAL_ADDRESS']) {
      expect(err.message).toContain(option);
    }
    expect(err.message).toContain('go is not installed');
  });
});

describe('adoptDownloadedCli', () => {
  it("moves the SDK's downloaded binary into place, ignoring an unfinished download", async () => {
    const downloadDir = path.join(root, 'download');
    await mkdir(downloadDir);
    await writeFile(path.join(downloadDir, 'temporal-sdk-typescript-1.24.0.downloading'), 'partial');
    await writeFile(path.join(downloadDir, 'temporal-sdk-typescript-1.24.0'), 'binary');
    const dest = path.join(root, 'temporal');

    await adoptDownloadedCli(downloadDir, dest);

    expect(await readFile(dest, 'utf8')).toBe('binary');
    await expect(findTemporalCli({ env: bareEnv({ TEMPORAL_CLI_PATH: dest }), ...quiet })).resolves.toMatchObject({
      source: 'env',
    });
  });

  it('fails clearly when the SDK left nothing', async () => {
    await expect(adoptDownloadedCli(root, path.join(root, 'temporal'))).rejects.toThrow(/no temporal-\* binary/);
  });
});
