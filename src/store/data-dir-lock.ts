/**
 * One platform process per data directory. Two processes on the same historian and metadata
 * files would corrupt each other's view, so start-up takes `lightsout.lock` (holding the PID)
 * and refuses, with one clear line, when a live process holds it. A lock left by a process that
 * died (kill -9, power loss) is taken over.
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LightsoutError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Take the lock of `dir`; returns its release function. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'lightsout.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
      }
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new LightsoutError('LIGHTSOUT_DATA_DIR_IN_USE', `data directory ${dir} is in use by another Lightsout process (PID ${pid}): stop it, or start with another --data-dir`);
      }
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new LightsoutError('LIGHTSOUT_DATA_DIR_IN_USE', `data directory ${dir} is being locked by another process at the same moment; try again`);
}
