/**
 * What the connector knows of each of its tags: the last good value, whether `bad` was already
 * handed on, and the tag's current issue. A failing register gives one `bad` point when it starts
 * failing, not one per poll; the next good read clears its issue.
 * @module
 */
import type { TagIssue } from '../../core/connector-port.js';
import type { ErrorCode } from '../../core/errors.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import type { Value } from '../../core/point.js';
import type { ResolvedMapping } from './register-codec.js';

interface TagState {
  last: Value | undefined;
  /** True once a `bad` point went out and no good one since. */
  bad: boolean;
  issue: TagIssue | undefined;
}

/** A bad point needs a value of the tag's type: the last one, else a typed placeholder. */
function placeholder(m: ResolvedMapping): Value {
  return m.type === 'bool' ? false : m.type === 'string' ? '' : 0;
}

/** Per-tag state of one connector. */
export class TagBook {
  private readonly states = new Map<string, TagState>();
  /** Points recorded `bad` because the decoded number was NaN or infinite. */
  decodeErrors = 0;

  constructor(private readonly mappings: readonly ResolvedMapping[]) {
    for (const m of mappings) this.states.set(m.tag, { last: undefined, bad: false, issue: undefined });
  }

  private state(tag: string): TagState {
    return this.states.get(tag)!;
  }

  /** A value read at `ts`: a good point, or a bad one (once) when the number is not finite. */
  good(m: ResolvedMapping, value: Value, ts: number): CandidatePoint | undefined {
    const s = this.state(m.tag);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.decodeErrors++;
      return this.bad1(m, ts, { code: 'LIGHTSOUT_BAD_VALUE', message: `register holds ${value} (not a finite number)` });
    }
    s.last = value;
    s.bad = false;
    s.issue = undefined;
    return { tag: m.tag, ts, value, quality: 'good' };
  }

  private bad1(m: ResolvedMapping, ts: number, issue?: { code: ErrorCode; message: string }): CandidatePoint | undefined {
    const s = this.state(m.tag);
    if (issue && (!s.issue || s.issue.code !== issue.code || s.issue.message !== issue.message)) {
      s.issue = { tag: m.tag, code: issue.code, message: issue.message, since: s.issue?.code === issue.code ? s.issue.since : ts };
    }
    if (s.bad) return undefined;
    s.bad = true;
    return { tag: m.tag, ts, value: s.last ?? placeholder(m), quality: 'bad' };
  }

  /** Tags that could not be read: `bad` points for those not already bad, and their issue. */
  bad(ms: readonly ResolvedMapping[], ts: number, issue?: { code: ErrorCode; message: string }): CandidatePoint[] {
    const out: CandidatePoint[] = [];
    for (const m of ms) {
      const p = this.bad1(m, ts, issue);
      if (p) out.push(p);
    }
    return out;
  }

  /** Every tag `bad` (connection lost), without issues: the status says what is wrong. */
  allBad(ts: number): CandidatePoint[] {
    return this.bad(this.mappings, ts);
  }

  /** Current issues, oldest first. */
  issues(): TagIssue[] {
    const out: TagIssue[] = [];
    for (const s of this.states.values()) if (s.issue) out.push(s.issue);
    return out.sort((a, b) => a.since - b.since);
  }

  /** How many tags have an issue, and the first one (for the status' reason). */
  issueSummary(): { count: number; first: TagIssue | undefined } {
    let count = 0;
    let first: TagIssue | undefined;
    for (const s of this.states.values()) {
      if (!s.issue) continue;
      count++;
      if (!first || s.issue.since < first.since) first = s.issue;
    }
    return { count, first };
  }
}
