/**
 * Run an async step now and then every `ms` while the component is mounted. The step gets
 * `alive()` so it can skip state updates after unmount; a thrown error goes to `onError` (the
 * step runs again at the next interval, so a server that was down is picked up by itself).
 * @module
 */
import { useEffect } from 'preact/hooks';

/** Poll `step` every `ms` for the component's lifetime; a change of `deps` polls again at once. */
export function usePolling(step: (alive: () => boolean) => Promise<void>, ms: number, onError: (message: string) => void, deps: readonly unknown[] = []): void {
  useEffect(() => {
    let stop = false;
    const alive = (): boolean => !stop;
    const run = (): void => {
      step(alive).catch((e: unknown) => {
        if (!stop) onError((e as Error).message);
      });
    };
    run();
    const id = setInterval(run, ms);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, deps);
}
