/**
 * This package's own package.json, found by the package's name (Node resolves a package's
 * self-reference through its `exports`), so the same code reads it from src/ under tsx and
 * from dist/ when compiled, and tsc copies no package.json into dist/.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const manifest = require.resolve('temporal-mlops/package.json');

/** The package's root folder (where package.json is). */
export const packageRoot = path.dirname(manifest);

/** The package's name and version. */
export const packageInfo = require(manifest) as { readonly name: string; readonly version: string };
