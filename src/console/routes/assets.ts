/** The console's script and style, and Vega, Vega-Lite and vega-embed from node_modules (no CDN). */
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const own = (file: string) => fileURLToPath(new URL(`../assets/${file}`, import.meta.url));
/** A file beside a package's entry point (each package's main module is in its build/ folder). */
const packaged = (pkg: string, file: string) => path.join(path.dirname(require.resolve(pkg)), file);

const assets: Record<string, { file: string; type: string }> = {
  'console.js': { file: own('console.js'), type: 'text/javascript' },
  'console.css': { file: own('console.css'), type: 'text/css' },
  'vega.min.js': { file: packaged('vega', 'vega.min.js'), type: 'text/javascript' },
  'vega-lite.min.js': { file: packaged('vega-lite', 'vega-lite.min.js'), type: 'text/javascript' },
  'vega-embed.min.js': { file: packaged('vega-embed', 'vega-embed.min.js'), type: 'text/javascript' },
};

export function registerAssetRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.file) ? assets[request.params.file] : undefined;
    if (!asset) return reply.code(404).send({ error: `no asset ${request.params.file}` });
    let body = cache.get(asset.file);
    if (!body) cache.set(asset.file, (body = await readFile(asset.file)));
    return reply.type(`${asset.type}; charset=utf-8`).header('cache-control', 'public, max-age=3600').send(body);
  });
}
