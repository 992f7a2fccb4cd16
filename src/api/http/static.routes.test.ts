/** The dashboard routes: bundle, SPA fallback, cache headers, API 404s kept, and the missing-bundle page. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { staticRoutes } from './static.routes.js';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function serve(root: string): Promise<FastifyInstance> {
  app = Fastify();
  app.setNotFoundHandler((req, reply) => void reply.status(404).send({ error: { code: 'LIGHTSOUT_NOT_FOUND', message: `no route ${req.url}` } }));
  await staticRoutes(app, root);
  return app;
}

function bundle(): string {
  const root = mkdtempSync(join(tmpdir(), 'lightsout-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Lightsout</title><div id="app"></div>');
  writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
  return root;
}

describe('dashboard routes', () => {
  it('serves index.html at / and for any page path, revalidated each time', async () => {
    const a = await serve(bundle());
    for (const url of ['/', '/machine/x', '/some/deep/link?x=1']) {
      const r = await a.inject({ url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('text/html');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body).toContain('<div id="app">');
    }
  });

  it('serves the showcase page, never cached and never passing its link on as a Referer', async () => {
    const r = await (await serve(bundle())).inject({ url: '/showcase/AbCdEfGhIjKl.secret-part' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<div id="app">');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const r = await (await serve(bundle())).inject({ url: '/assets/index-AbC123.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.body).toBe('console.log(1)');
  });

  it('keeps the JSON 404 for unknown API paths and missing assets', async () => {
    const a = await serve(bundle());
    const api = await a.inject({ url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('LIGHTSOUT_NOT_FOUND');
    expect((await a.inject({ url: '/assets/gone-123.js' })).statusCode).toBe(404);
  });

  it('says how to build the dashboard when there is no bundle', async () => {
    const r = await (await serve(join(tmpdir(), 'lightsout-no-such-bundle'))).inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build');
  });
});
