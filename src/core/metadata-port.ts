/**
 * The metadata store port: what must survive restarts besides points. Today: the tag registry.
 * Tenants, users, alarms, commands and audit join it in later work.
 * @module
 */
import type { ValueType } from './point.js';

/** A tag as registered: created on first sight, never renamed. */
export interface TagRecord {
  /** Registry id, unique across tenants; the historian's key. */
  id: number;
  tenant: string;
  /** Path inside the tenant: `site/area/line/machine/tag`. */
  path: string;
  type: ValueType;
  /** Where the tag was first seen, e.g. `uns`, `sparkplug`, `http`. */
  source: string;
  createdTs: number;
}

/** Durable storage of metadata. */
export interface MetadataStore {
  /** Open or create (runs migrations). */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Every registered tag, for the in-memory registry at start. */
  loadTags(): Promise<TagRecord[]>;
  /** Persist new tags; resolves when durable (survives kill -9). Ids are assigned by the caller. */
  saveTags(tags: readonly TagRecord[]): Promise<void>;
}
