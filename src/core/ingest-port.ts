/**
 * What connectors hand to ingest, and what ingest hands on. Connectors decode their protocol into
 * candidate points; ingest validates, registers, stores durably and fans out.
 * @module
 */
import type { ErrorCode } from './errors.js';
import type { Point, TagMeta } from './point.js';

/** A point as decoded from the outside, before validation: anything may be wrong with it. */
export interface CandidatePoint {
  tag: string;
  ts?: unknown;
  value: unknown;
  quality?: unknown;
  /** Metadata the device sent with the value (a Sparkplug birth's engUnit, a UNS `unit`). */
  meta?: { unit?: unknown; description?: unknown; min?: unknown; max?: unknown };
}

/** One rejected input, counted and logged by ingest. */
export interface Rejection {
  code: ErrorCode;
  message: string;
  /** Where it came from, e.g. `uns`, `sparkplug`, `http`. */
  source: string;
  /** The tag or topic concerned, when known. */
  subject?: string;
}

/** A connector's delivery of points of one tenant. */
export interface IngestBatch {
  tenant: string;
  source: string;
  points: readonly CandidatePoint[];
  /** Rejections the decoder already found (bad levels, unknown aliases); they are counted too. */
  rejections?: readonly Rejection[];
}

/** The outcome of one batch once it is durable. */
export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

/** The ingest entry point as connectors see it. */
export interface IngestSink {
  /** Resolves when every accepted point is durable; rejects only when storage failed. */
  submit(batch: IngestBatch): Promise<IngestResult>;
  /** Count a rejection that produced no batch (undecodable payload, hostile topic). */
  reject(rejection: Rejection): void;
}

/** A metadata change of one tag, by path. */
export interface TagMetaUpdate extends TagMeta {
  path: string;
}

/** Called with each tenant's points once they are durable (rules, live hub). */
export type PointsHook = (tenant: string, points: readonly Point[]) => void;
