/**
 * Vite build of the dashboard: plain Vite with Preact's JSX runtime (no framework plugin), output
 * in dist/web beside the server build so the Fastify static route finds it in a source checkout
 * and in an installed package alike.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite web` during development: the API and the live hub of a running platform.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
