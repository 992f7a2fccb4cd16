/**
 * The in-memory tag registry: (tenant, path) → tag id and type, loaded from the metadata store
 * at start. New tags get an id at once and are persisted with the batch that brought them, before
 * that batch is acknowledged. The asset tree is derived from the tag paths.
 * @module
 */
import type { MetadataStore, TagRecord } from '../core/metadata-port.js';
import type { Value, ValueType } from '../core/point.js';
import { valueTypeOf } from '../core/point.js';

/** One node of the asset tree. */
export interface AssetNode {
  name: string;
  path: string;
  children: AssetNode[];
  /** Names of the tags directly on this asset. */
  tags: string[];
}

const BIG_INTEGER = /^-?\d+$/;

/** Whether a value may be stored in a tag of the given type. Integers too large for a JS number travel as decimal strings and are allowed in number tags. */
export function fitsType(type: ValueType, value: Value): boolean {
  const t = valueTypeOf(value);
  return t === type || (type === 'number' && t === 'string' && BIG_INTEGER.test(value as string));
}

/** Registry of every tag of every tenant. */
export class TagRegistry {
  private readonly byKey = new Map<string, TagRecord>();
  private readonly byId = new Map<number, TagRecord>();
  private nextId = 1;

  constructor(private readonly store: MetadataStore) {}

  /** Load every tag from the store. */
  async load(): Promise<void> {
    for (const t of await this.store.loadTags()) this.add(t);
  }

  /** The tag, if registered. */
  get(tenant: string, path: string): TagRecord | undefined {
    return this.byKey.get(tenant + '\u0000' + path);
  }

  /** The tag with this id. */
  byTagId(id: number): TagRecord | undefined {
    return this.byId.get(id);
  }

  /** Register a tag seen for the first time; the caller must persist it (see persist) before acknowledging. */
  create(tenant: string, path: string, type: ValueType, source: string, now: number): TagRecord {
    const rec: TagRecord = { id: this.nextId, tenant, path, type, source, createdTs: now };
    this.add(rec);
    return rec;
  }

  /** Persist newly created tags. */
  persist(tags: readonly TagRecord[]): Promise<void> {
    return this.store.saveTags(tags);
  }

  /** Tags of a tenant whose path starts with `prefix` (a whole-level prefix or any string prefix). */
  list(tenant: string, prefix = ''): TagRecord[] {
    const out: TagRecord[] = [];
    for (const t of this.byId.values()) if (t.tenant === tenant && t.path.startsWith(prefix)) out.push(t);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Number of registered tags. */
  get size(): number {
    return this.byId.size;
  }

  /** The asset tree of a tenant, built from its tag paths. */
  tree(tenant: string): AssetNode[] {
    const root: AssetNode = { name: '', path: '', children: [], tags: [] };
    const index = new Map<string, AssetNode>([['', root]]);
    for (const t of this.list(tenant)) {
      const levels = t.path.split('/');
      let node = root;
      for (let i = 0; i < levels.length - 1; i++) {
        const path = levels.slice(0, i + 1).join('/');
        let child = index.get(path);
        if (!child) {
          child = { name: levels[i]!, path, children: [], tags: [] };
          index.set(path, child);
          node.children.push(child);
        }
        node = child;
      }
      node.tags.push(levels[levels.length - 1]!);
    }
    return root.children;
  }

  private add(t: TagRecord): void {
    this.byKey.set(t.tenant + '\u0000' + t.path, t);
    this.byId.set(t.id, t);
    if (t.id >= this.nextId) this.nextId = t.id + 1;
  }
}
