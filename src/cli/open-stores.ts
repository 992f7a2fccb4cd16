/**
 * Open a data directory's metadata for the management commands (user, token, tenant, device,
 * audit). The stores are concrete, so app.ts (the composition root) builds them.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import { openStores, type DataDirStores } from '../app.js';

export { openStores, type DataDirStores };

/**
 * Run one management command on a data directory: open, act, close. A failure prints one
 * `lightsout: …` line and sets the exit code (3 when something named does not exist, else 1).
 */
export async function withStores(dataDir: string, fn: (s: DataDirStores) => Promise<void>): Promise<void> {
  let s: DataDirStores | undefined;
  try {
    s = await openStores(dataDir);
    await fn(s);
  } catch (err) {
    console.error(`lightsout: ${(err as Error).message}`);
    process.exitCode = err instanceof LightsoutError && err.code === 'LIGHTSOUT_NOT_FOUND' ? 3 : 1;
  } finally {
    await s?.close();
  }
}
