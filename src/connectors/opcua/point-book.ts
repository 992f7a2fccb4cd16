/**
 * The connector's memory of its tags: the last value and source time of each, which tags were
 * marked stale, which backfilled, and the per-tag issues. It turns OPC UA DataValues into
 * candidate points, so the rules (timestamps, quality, stale and recovery) live in one place.
 * @module
 */
import type { DataValue } from 'node-opcua';
import type { TagIssue } from '../../core/connector-port.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import type { Value } from '../../core/point.js';
import { qualityOfStatus } from './quality.js';
import { variantToValue } from './value-convert.js';

/** Tag memory and issues of one connector. */
export class PointBook {
  private readonly last = new Map<string, { ts: number; value: Value }>();
  /** Tags marked bad on a connection loss, with the mark's time, until their first live value. */
  private readonly staleAt = new Map<string, number>();
  /** After a backfill: live values at or before this source time were already handed on. */
  private readonly dropUpTo = new Map<string, number>();
  readonly issues = new Map<string, TagIssue>();

  /** Source time of the last value of `tag`, if any. */
  lastTs(tag: string): number | undefined {
    return this.last.get(tag)?.ts;
  }

  /** Live values up to `ts` of `tag` are duplicates of a backfill. */
  backfilledUpTo(tag: string, ts: number): void {
    this.dropUpTo.set(tag, ts);
  }

  /**
   * The point of one DataValue (undefined when it duplicates a backfilled one). `live` values
   * after a stale mark are stamped no earlier than the mark, so the tag reads good again even
   * when its value has not changed since before the outage.
   */
  point(tag: string, dv: DataValue, live: boolean, now: number): CandidatePoint | undefined {
    let ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
    if (!Number.isFinite(ts) || ts <= 0) ts = now;
    const mark = this.staleAt.get(tag);
    if (live && mark !== undefined && ts <= mark) {
      // The value from before the outage is still current: it is good again from now on.
      this.staleAt.delete(tag);
      this.dropUpTo.delete(tag);
      ts = mark + 1;
    } else if (live) {
      this.staleAt.delete(tag);
      const drop = this.dropUpTo.get(tag);
      if (drop !== undefined) {
        if (ts <= drop) return undefined;
        this.dropUpTo.delete(tag);
      }
    } else if (mark !== undefined && ts > mark) {
      // A back-filled value newer than the stale mark already makes the tag current again.
      this.staleAt.delete(tag);
    }
    let quality = qualityOfStatus(dv.statusCode.value);
    const decoded = variantToValue(dv.value);
    let value: Value;
    if (decoded.ok) {
      value = decoded.value;
      if (this.issues.get(tag)?.code === 'LIGHTSOUT_BAD_VALUE') this.issues.delete(tag);
    } else {
      value = this.last.get(tag)?.value ?? 0;
      // A bad status often comes without a value; that is the status, not a decoding problem.
      if (quality !== 'bad') {
        if (!this.issues.has(tag)) this.issues.set(tag, { tag, code: 'LIGHTSOUT_BAD_VALUE', message: decoded.message, since: now });
        quality = 'bad';
      }
    }
    this.last.set(tag, { ts, value });
    return { tag, ts, value, quality };
  }

  /** Bad-quality marks of every tag with a value, at `now` (connection lost). */
  staleMarks(now: number): CandidatePoint[] {
    const out: CandidatePoint[] = [];
    for (const [tag, l] of this.last) {
      if (this.staleAt.has(tag)) continue;
      const ts = Math.max(now, l.ts);
      this.staleAt.set(tag, ts);
      out.push({ tag, ts, value: l.value, quality: 'bad' });
    }
    return out;
  }

  /** Record a tag that cannot be read; the bad point to hand on the first time, else undefined. */
  missing(issue: TagIssue): CandidatePoint | undefined {
    const had = this.issues.get(issue.tag);
    if (had && had.code === issue.code) return undefined;
    this.issues.set(issue.tag, issue);
    return { tag: issue.tag, ts: issue.since, value: this.last.get(issue.tag)?.value ?? 0, quality: 'bad' };
  }

  /** Forget "not found" issues of tags that are now monitored. */
  found(tags: Iterable<string>): void {
    for (const t of tags) if (this.issues.get(t)?.code === 'LIGHTSOUT_NOT_FOUND') this.issues.delete(t);
  }
}

