/**
 * Picks the fastest TensorFlow.js backend this machine offers. The native bindings
 * (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node) are optional and detected at run time,
 * so the project installs and trains everywhere; WASM is the portable fast path and the
 * pure-JS CPU backend the last resort.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { MlopsError } from '../errors.js';

/** A backend name as TensorFlow.js registers it; the native bindings register `tensorflow`. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

type Tfjs = typeof import('@tensorflow/tfjs');

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

// Variables keep TypeScript (and bundlers) from resolving packages that are not installed.
const NODE_GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const NODE_PACKAGE = '@tensorflow/tfjs-node';

const selections = new Map<string, Promise<BackendName>>();

/**
 * Activates a backend and returns the one actually in use. Order of preference: the
 * `preferred` argument, else env `MLOPS_TF_BACKEND`, else the fastest available; when the
 * preferred one cannot load, the next in `tensorflow → wasm → cpu` is tried.
 * Idempotent: repeated calls with the same preference reuse the first result.
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendName> {
  const choice = preferred ?? parseEnvBackend(process.env.MLOPS_TF_BACKEND);
  const key = choice ?? 'auto';
  let selection = selections.get(key);
  if (!selection) {
    selection = activateFirst(BACKENDS.slice(choice ? BACKENDS.indexOf(choice) : 0));
    selections.set(key, selection);
  }
  const name = await selection;
  // Another preference may have switched the global backend since; switch back (cheap).
  const tf = await import('@tensorflow/tfjs');
  if (tf.getBackend() !== name) await tf.setBackend(name);
  return name;
}

/** True only when the CUDA bindings (@tensorflow/tfjs-node-gpu) load on this machine. */
export async function hasGpuBackend(): Promise<boolean> {
  return (await importOptional(NODE_GPU_PACKAGE)) !== undefined;
}

function parseEnvBackend(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new MlopsError('UsageError', `MLOPS_TF_BACKEND="${value}" is not a backend; use one of ${BACKENDS.join(', ')} or unset it`);
}

async function activateFirst(candidates: readonly BackendName[]): Promise<BackendName> {
  // Loaded on demand: hasGpuBackend() callers (the worker CLI) need no tfjs in memory.
  const tf = await import('@tensorflow/tfjs');
  for (const name of candidates) {
    if ((await register(tf, name)) && (await tf.setBackend(name))) {
      await tf.ready();
      return name;
    }
  }
  throw new MlopsError('TrainingFailed', `no TensorFlow.js backend could be initialised (tried ${candidates.join(', ')})`);
}

/** Makes a backend known to TensorFlow.js; false when its package is missing or broken. */
async function register(tf: Tfjs, name: BackendName): Promise<boolean> {
  if (name === 'cpu') return true;
  if (name === 'wasm') return registerWasm(tf);
  // Either native package registers the `tensorflow` backend when imported.
  const native = (await importOptional(NODE_GPU_PACKAGE)) ?? (await importOptional(NODE_PACKAGE));
  return native !== undefined && tf.findBackendFactory('tensorflow') !== null;
}

async function registerWasm(tf: Tfjs): Promise<boolean> {
  const wasm = await importOptional('@tensorflow/tfjs-backend-wasm');
  if (!wasm) return false;
  // In Node the .wasm binaries are read from disk; point the loader at the package's dist/.
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  (wasm as typeof import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(`${dir}${path.sep}`);
  return tf.findBackendFactory('wasm') !== null;
}

async function importOptional(specifier: string): Promise<unknown> {
  try {
    return (await import(specifier)) as unknown;
  } catch {
    return undefined;
  }
}
