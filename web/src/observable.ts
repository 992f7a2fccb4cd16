/**
 * A value that components can watch. Preferences (language, theme) and the connection state are
 * app-wide; this keeps them out of prop chains without pulling in a state library.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';

/** A value with change listeners. */
export class Observable<T> {
  private readonly listeners = new Set<(v: T) => void>();

  constructor(private current: T) {}

  /** The current value. */
  get(): T {
    return this.current;
  }

  /** Replace the value and tell the listeners (only when it changed). */
  set(v: T): void {
    if (Object.is(v, this.current)) return;
    this.current = v;
    for (const l of [...this.listeners]) l(v);
  }

  /** Listen to changes; returns the unsubscribe function. */
  subscribe(listener: (v: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Re-render the calling component whenever `o` changes; returns its current value. */
export function useObservable<T>(o: Observable<T>): T {
  const [, force] = useState(0);
  useEffect(() => o.subscribe(() => force((n) => n + 1)), [o]);
  return o.get();
}
