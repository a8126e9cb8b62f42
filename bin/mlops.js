#!/usr/bin/env node
// The `mlops` command. Installed from npm it runs the compiled CLI in dist/. In a clone of the
// repository (src/ beside bin/, tsx installed as a dev dependency) it runs the TypeScript
// sources through tsx instead, so an edit needs no build and never meets a stale dist/.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const tsx = existsSync(sources) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else {
  const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
  if (!existsSync(compiled)) {
    process.stderr.write('mlops: dist/ is missing: run "npm run build" (or "npm install" in a clone, which builds it)\n');
    process.exit(1);
  }
  await import(compiled.href);
}
