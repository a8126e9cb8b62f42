/**
 * A package-lock.json for a fresh project that installs the packed tarball, made from this
 * repository's own lock: the same versions, resolved URLs and integrity hashes, so
 * `npm ci --offline` installs it from the npm cache that `npm ci` filled here (a plain
 * `npm install ./x.tgz` would need the registry's metadata, which `npm ci` does not cache).
 */
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lock {
  packages: Record<string, LockEntry>;
}

/** What the fresh project depends on: the tarball, and dev packages taken from our lock (e.g. typescript). */
export interface FreshProject {
  readonly name: string;
  /** `file:` spec of the tarball, relative to the project. */
  readonly tarball: string;
  /** The tarball's `integrity` (from `npm pack --json`). */
  readonly integrity: string;
  /** Names of our run-time dependencies the project declares too (e.g. `@temporalio/worker`), at our lock's versions. */
  readonly dependencies?: readonly string[];
  /** Names of our dev dependencies the project installs too, at our lock's versions. */
  readonly devDependencies?: readonly string[];
}

/** The package.json and package-lock.json texts of the project. */
export function freshProjectFiles(repoLockFile: string, project: FreshProject): { packageJson: object; lock: object } {
  const ours = JSON.parse(readFileSync(repoLockFile, 'utf8')) as Lock;
  const root = ours.packages[''] as LockEntry & { name: string; version: string; peerDependencies?: object; peerDependenciesMeta?: object; bin?: object; engines?: object; license?: string };
  const packages: Record<string, LockEntry> = {};
  // Every run-time package of ours, where our lock puts it.
  for (const [where, entry] of Object.entries(ours.packages)) {
    if (where === '' || entry.dev) continue;
    const { devOptional, ...rest } = withResolved(where, entry);
    packages[where] = devOptional ? { ...rest, optional: true } : rest;
  }
  // The dev packages asked for, with what they depend on (from the top-level positions).
  const devDependencies: Record<string, string> = {};
  const pending = [...(project.devDependencies ?? [])];
  for (const name of project.devDependencies ?? []) devDependencies[name] = versionOf(ours, name);
  while (pending.length > 0) {
    const name = pending.pop()!;
    const where = `node_modules/${name}`;
    const entry = ours.packages[where];
    if (!entry) throw new Error(`${name} is not in package-lock.json`);
    if (packages[where] && !packages[where].dev) continue;
    if (packages[where]) continue;
    const { devOptional: _d, optional: _o, ...rest } = withResolved(where, entry);
    packages[where] = { ...rest, dev: true };
    pending.push(...Object.keys(entry.dependencies ?? {}));
  }
  const dependencies: Record<string, string> = { [root.name]: project.tarball };
  for (const name of project.dependencies ?? []) dependencies[name] = versionOf(ours, name);
  packages[`node_modules/${root.name}`] = {
    version: root.version,
    resolved: project.tarball,
    integrity: project.integrity,
    license: root.license,
    dependencies: root.dependencies,
    peerDependencies: root.peerDependencies,
    peerDependenciesMeta: root.peerDependenciesMeta,
    bin: root.bin,
    engines: root.engines,
  };
  const packageJson = { name: project.name, private: true, type: 'module', dependencies, devDependencies };
  const lock = {
    name: project.name,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: project.name, dependencies, devDependencies }, ...packages },
  };
  return { packageJson, lock };
}

/**
 * Our lock leaves out `resolved` for registry packages; without it npm asks the registry for
 * the package's metadata, even offline. The registry's tarball URL needs no metadata.
 */
function withResolved(where: string, entry: LockEntry): LockEntry {
  if (entry.resolved || entry.version === undefined) return entry;
  const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.slice(name.lastIndexOf('/') + 1);
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${base}-${entry.version}.tgz` };
}

function versionOf(lock: Lock, name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}
