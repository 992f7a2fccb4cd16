/**
 * Hooks binding components to live values: re-render at most once per animation frame however
 * many points arrive, so a busy plant never floods the renderer.
 * @module
 */
import type { ApiPoint } from '../../../src/protocol/api-types.js';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { live, type LiveClient } from './live-client.js';

/**
 * The latest points of `tags`, kept current. `onPoint` (optional) sees every change of these
 * tags, e.g. to extend a sparkline's tail. `client` is the page's live client unless another is
 * given (the showcase page has its own).
 */
export function useLiveValues(tags: readonly string[], onPoint?: (p: ApiPoint) => void, client: LiveClient = live): ReadonlyMap<string, ApiPoint> {
  const key = tags.join('\n');
  const [, setTick] = useState(0);
  const cb = useRef(onPoint);
  cb.current = onPoint;
  const wanted = useMemo(() => new Set(tags), [key]);
  useEffect(() => {
    let frame = 0;
    const release = client.watch([...wanted], (points) => {
      let mine = false;
      for (const p of points) {
        if (!wanted.has(p.tag)) continue;
        mine = true;
        cb.current?.(p);
      }
      if (mine && frame === 0) frame = requestAnimationFrame(() => { frame = 0; setTick((n) => n + 1); });
    });
    return () => { release(); cancelAnimationFrame(frame); };
  }, [wanted, client]);
  const out = new Map<string, ApiPoint>();
  for (const t of tags) {
    const p = client.get(t);
    if (p) out.set(t, p);
  }
  return out;
}

/** The current time, refreshed every `everyMs` (ages and clocks). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
