/**
 * The metadata store port: what must survive restarts besides points. Today: the tag registry.
 * Tenants, users, alarms, commands and audit join it in later work.
 * @module
 */
import type { TagMeta, ValueType } from './point.js';

/** A tag as registered: created on first sight, never renamed; its metadata may change. */
export interface TagRecord extends TagMeta {
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

/** Descriptive metadata of an asset (site, area, line, machine). */
export interface AssetRecord {
  tenant: string;
  path: string;
  /** IANA time zone, set on sites. */
  timeZone?: string;
  description?: string;
  /** The kind of machine (`cnc-mill`, `press`); rule templates apply by it. */
  machineType?: string;
}

/** Durable storage of metadata. */
export interface MetadataStore {
  /** Open or create (runs migrations). */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Every registered tag, for the in-memory registry at start. */
  loadTags(): Promise<TagRecord[]>;
  /** Persist new tags, or the metadata of known ones; resolves when durable. Ids are assigned by the caller. */
  saveTags(tags: readonly TagRecord[]): Promise<void>;
  /** Every asset with metadata. */
  loadAssets(): Promise<AssetRecord[]>;
  /** Create or replace the metadata of assets; resolves when durable. */
  saveAssets(assets: readonly AssetRecord[]): Promise<void>;
}
