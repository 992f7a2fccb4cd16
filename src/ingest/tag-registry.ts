/**
 * The in-memory tag registry: (tenant, path) → tag id and type, loaded from the metadata store
 * at start. New tags get an id at once and are persisted with the batch that brought them, before
 * that batch is acknowledged. The asset tree is derived from the tag paths.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import type { TagMetaUpdate } from '../core/ingest-port.js';
import type { AssetRecord, MetadataStore, TagRecord } from '../core/metadata-port.js';
import type { TagMeta, Value, ValueType } from '../core/point.js';
import { parsePath } from '../core/tag-path.js';
import { checkMeta } from './validate.js';
import { valueTypeOf } from '../core/point.js';

/** One node of the asset tree. */
export interface AssetNode {
  name: string;
  path: string;
  children: AssetNode[];
  /** Names of the tags directly on this asset. */
  tags: string[];
  timeZone?: string;
  description?: string;
  machineType?: string;
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
  private readonly assets = new Map<string, AssetRecord>();

  constructor(private readonly store: MetadataStore) {}

  /** Load every tag from the store. */
  async load(): Promise<void> {
    for (const t of await this.store.loadTags()) this.add(t);
    for (const a of await this.store.loadAssets()) this.assets.set(a.tenant + '\u0000' + a.path, a);
  }

  /**
   * Apply metadata to a tag in memory; true when something changed (the caller then persists the
   * tag with the batch that carried it, or through `updateMeta`).
   */
  applyMeta(tag: TagRecord, meta: TagMeta): boolean {
    let changed = false;
    for (const k of ['unit', 'description', 'min', 'max', 'writable', 'critical', 'interlock'] as const) {
      const v = meta[k];
      if (v !== undefined && tag[k] !== v) {
        (tag as unknown as Record<string, unknown>)[k] = v;
        changed = true;
      }
    }
    return changed;
  }

  /** Set the metadata of known tags (PATCH /api/v1/tags); all are checked before any is changed. */
  async updateMeta(tenant: string, updates: readonly TagMetaUpdate[]): Promise<number> {
    const checked = updates.map((u) => {
      const tag = this.get(tenant, u.path);
      if (!tag) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tag "${u.path}" does not exist in tenant ${tenant}`);
      const c = checkMeta(u, u.path);
      if (!c.ok) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', c.message);
      return { tag, meta: c.meta };
    });
    const changed: TagRecord[] = [];
    for (const { tag, meta } of checked) {
      const copy = { ...tag };
      if (this.applyMeta(copy, meta)) changed.push(copy);
    }
    await this.store.saveTags(changed);
    for (const c of changed) Object.assign(this.byId.get(c.id)!, c);
    return changed.length;
  }

  /** The metadata of an asset, if any was set. */
  assetMeta(tenant: string, path: string): AssetRecord | undefined {
    return this.assets.get(tenant + '\u0000' + path);
  }

  /** Set the metadata of assets (a site's time zone); the asset need not have tags yet. */
  async updateAssets(tenant: string, updates: ReadonlyArray<{ path: string; timeZone?: string; description?: string; machineType?: string }>): Promise<number> {
    const records = updates.map((u) => {
      parsePath(u.path, 'asset path');
      if (u.timeZone !== undefined && !isTimeZone(u.timeZone)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `"${u.timeZone}" (asset ${u.path}) is not an IANA time zone such as Asia/Shanghai`);
      const prev = this.assets.get(tenant + '\u0000' + u.path);
      const rec: AssetRecord = { tenant, path: u.path };
      const timeZone = u.timeZone ?? prev?.timeZone;
      const description = u.description ?? prev?.description;
      if (timeZone !== undefined) rec.timeZone = timeZone;
      if (description !== undefined) rec.description = description;
      const machineType = u.machineType ?? prev?.machineType;
      if (machineType !== undefined) rec.machineType = machineType;
      return rec;
    });
    await this.store.saveAssets(records);
    for (const r of records) this.assets.set(tenant + '\u0000' + r.path, r);
    for (const l of this.assetListeners) l(tenant, records);
    return records.length;
  }

  /** Assets of a tenant with a machine type (rule templates apply by it). */
  assetsOfType(tenant: string, machineType?: string): AssetRecord[] {
    const out: AssetRecord[] = [];
    for (const a of this.assets.values()) {
      if (a.tenant === tenant && a.machineType !== undefined && (machineType === undefined || a.machineType === machineType)) out.push(a);
    }
    return out;
  }

  /** Be told when assets' metadata changes (a machine gets its type). */
  onAssetsChanged(listener: (tenant: string, assets: readonly AssetRecord[]) => void): void {
    this.assetListeners.push(listener);
  }

  private readonly assetListeners: Array<(tenant: string, assets: readonly AssetRecord[]) => void> = [];

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
  tree(tenant: string, visible?: (tagPath: string) => boolean): AssetNode[] {
    const root: AssetNode = { name: '', path: '', children: [], tags: [] };
    const index = new Map<string, AssetNode>([['', root]]);
    for (const t of this.list(tenant)) {
      if (visible && !visible(t.path)) continue;
      const levels = t.path.split('/');
      let node = root;
      for (let i = 0; i < levels.length - 1; i++) {
        const path = levels.slice(0, i + 1).join('/');
        let child = index.get(path);
        if (!child) {
          child = { name: levels[i]!, path, children: [], tags: [] };
          const meta = this.assets.get(tenant + '\u0000' + path);
          if (meta?.timeZone !== undefined) child.timeZone = meta.timeZone;
          if (meta?.description !== undefined) child.description = meta.description;
          if (meta?.machineType !== undefined) child.machineType = meta.machineType;
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

/** True for a time zone the runtime knows (IANA names such as Asia/Shanghai, or UTC). */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
