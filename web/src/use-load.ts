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

/** What {@link useAction} gives. */
export interface Action {
  /** The last action's error message, '' when it went through. */
  error: string;
  /** Run a change; its failure becomes `error`; `after` (a reload) runs either way. */
  act: (change: () => Promise<unknown>) => Promise<void>;
}

/** Changes made from a screen: one error line, and the screen asks the server again afterwards. */
export function useAction(after: () => void): Action {
  const [error, setError] = useState('');
  const act = useCallback(async (change: () => Promise<unknown>) => {
    setError('');
    try {
      await change();
    } catch (e) {
      setError((e as Error).message);
    }
    after();
  }, [after]);
  return { error, act };
}
