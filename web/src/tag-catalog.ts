/**
 * The tag catalog (type, unit, description, engineering range) as the views need it: one
 * GET /api/v1/tags?prefix= per prefix, shared by every component that asks for that prefix and
 * kept for a minute. A plant view of fifty cards costs one request, not fifty, and a trend opened
 * from a machine view reuses the machine's list.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiTag } from '../../src/protocol/api-types.js';
import { fetchTags } from './api.js';
import { Observable, useObservable } from './observable.js';

/** Tag path → its catalog entry. */
export type TagCatalog = ReadonlyMap<string, ApiTag>;

// Metadata edited meanwhile (PATCH /api/v1/tags, a device's new birth) shows on the next visit
// after this; units change seldom, and a view should not poll the catalog all shift.
const MAX_AGE_MS = 60_000;
// Far more prefixes than the machines an operator opens in a shift; the oldest goes first.
const MAX_PREFIXES = 200;

interface Entry { at: number; generation: number; tags: Promise<TagCatalog> }
const cache = new Map<string, Entry>();

/** Bumped when the set of tags changed: a cached list may lack the new tags. */
const generation = new Observable(0);

/** Forget every cached list (called when the asset tree shows new tags); mounted views ask again. */
export function invalidateTagCatalog(): void {
  generation.set(generation.get() + 1);
}

/** The prefix that lists a tag's siblings: its machine's path and a slash. */
export function parentPrefix(path: string): string {
  const i = path.lastIndexOf('/');
  // A top-level tag has no parent; its own path still lists it (and not the whole plant).
  return i >= 0 ? path.slice(0, i + 1) : path;
}

/** The catalog of the tags under `prefix` ('' = every tag), from the cache when fresh. */
export function loadTagCatalog(prefix: string): Promise<TagCatalog> {
  const now = Date.now();
  const gen = generation.get();
  const hit = cache.get(prefix);
  if (hit && hit.generation === gen && now - hit.at < MAX_AGE_MS) return hit.tags;
  const tags: Promise<TagCatalog> = fetchTags(prefix).then((list) => new Map(list.map((x) => [x.path, x])));
  const entry: Entry = { at: now, generation: gen, tags };
  // Deleted then set, so the Map's order is the age order the size cap relies on.
  cache.delete(prefix);
  cache.set(prefix, entry);
  // A failed request is not remembered: the next view to ask tries again.
  tags.catch(() => { if (cache.get(prefix) === entry) cache.delete(prefix); });
  while (cache.size > MAX_PREFIXES) cache.delete(cache.keys().next().value!);
  return tags;
}

const EMPTY: TagCatalog = new Map();

/**
 * The catalog of the tags under `prefixes`, merged. Empty until loaded, and when the API cannot
 * be reached: callers then fall back to what tag names say.
 */
export function useTagCatalog(prefixes: readonly string[]): TagCatalog {
  const gen = useObservable(generation);
  const unique = [...new Set(prefixes)].sort();
  const key = JSON.stringify(unique);
  const [catalog, setCatalog] = useState<TagCatalog>(EMPTY);
  useEffect(() => {
    let stop = false;
    void Promise.all(unique.map((p) => loadTagCatalog(p).catch(() => EMPTY))).then((parts) => {
      if (stop) return;
      setCatalog(parts.length === 1 ? parts[0]! : new Map(parts.flatMap((m) => [...m])));
    });
    return () => { stop = true; };
  }, [key, gen]);
  // Until the new prefixes load, the previous catalog stays: its entries are keyed by full path,
  // so it is never wrong for a tag, and units do not blink away on navigation.
  return catalog;
}
