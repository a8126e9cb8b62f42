// Part of `npm run build`: files tsc does not emit but the compiled package reads at run time.
// The demo's spec (read by `mlops dev`) keeps its place relative to the compiled CLI.
import { cpSync } from 'node:fs';

cpSync('examples/taxi/spec.yaml', 'dist/examples/taxi/spec.yaml');
