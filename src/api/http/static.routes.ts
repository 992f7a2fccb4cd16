/**
 * The web dashboard at `/`: the Vite bundle from dist/web (built by `npm run build`), with the
 * single-page-app fallback (any non-API GET answers index.html, so a bookmarked deep link works).
 * Hashed assets are cached for a year; index.html is revalidated every time, so a new release is
 * picked up on the next load. Without a bundle, `/` says how to build one.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the bundle is: <package root>/dist/web, from src/api/http (tsx) and dist/api/http alike. */
export const WEB_ROOT: string = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const MISSING = '<!doctype html><meta charset="utf-8"><title>Lightsout</title><p style="font:16px system-ui;margin:2rem">Lightsout: the dashboard is not built yet. Run <code>npm run build</code> and reload. The API is at <a href="/api/docs">/api/docs</a>.</p>\n';

/** Register the dashboard routes. `root` overrides the bundle directory (tests). */
export async function staticRoutes(app: FastifyInstance, root = WEB_ROOT): Promise<void> {
  const indexFile = join(root, 'index.html');
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    // Unknown API paths keep their JSON 404; only pages fall back to the app.
    if (req.url.startsWith('/api/') || req.url === '/api') return reply.callNotFound();
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    // A showcase page's URL holds its link secret: never send it on as a Referer, never cache it.
    if (req.url.startsWith('/showcase/')) reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
    // Read on each request (a few hundred bytes): a rebuild while the server runs is served at once.
    if (!existsSync(indexFile)) return reply.send(MISSING);
    return reply.send(readFileSync(indexFile));
  };
  if (existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'), prefix: '/assets/', decorateReply: false, index: false,
      // File names carry a content hash: a changed file has a new name, so the old one never changes.
      maxAge: '365d', immutable: true,
    });
  }
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}
