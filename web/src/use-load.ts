/**
 * Load something from the API for a component, with its error and a reload function (after a
 * change the screen asks again rather than guessing the server's new state).
 * @module
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

/** What {@link useLoad} gives. */
export interface Loaded<T> {
  data: T | undefined;
  error: string;
  reload: () => void;
}

/** Run `load` now and whenever `deps` change or `reload()` is called. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [n, setN] = useState(0);
  const [state, setState] = useState<{ data: T | undefined; error: string }>({ data: undefined, error: '' });
  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, error: '' }); },
      (e: unknown) => { if (!ctl.signal.aborted) setState((s) => ({ data: s.data, error: (e as Error).message })); },
    );
    return () => ctl.abort();
  }, [n, ...deps]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}
