/**
 * Global setup of the browser tests: build the dashboard bundle first (about a second), so the
 * tests always run against the current web/ sources rather than whatever dist/web holds.
 */
import { spawnSync } from 'node:child_process';

/** Vitest global setup. */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build of the dashboard failed');
}
