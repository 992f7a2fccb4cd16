/**
 * Filling the gap after a reconnect: for variables the server historizes, read the raw values
 * between the last one received and now (HistoryRead), so values the server produced while the
 * connector was away are not lost. Servers without history simply give nothing to fill.
 * @module
 */
import type { ClientSession, DataValue, HistoryData } from 'node-opcua';
import type { CandidatePoint } from '../../core/ingest-port.js';
import type { MonitoredTag } from './item-plan.js';
import type { PointBook } from './point-book.js';

const CHUNK = 200;

/** Values of each item after its `from` time, oldest first. Items the server fails on give none. */
export async function readGap(session: ClientSession, wanted: readonly { item: MonitoredTag; from: number }[], end: number): Promise<Map<MonitoredTag, DataValue[]>> {
  const out = new Map<MonitoredTag, DataValue[]>();
  // One HistoryRead per start time would be exact but slow; the earliest start of a chunk is
  // used and the caller drops what it already has (values at or before each item's `from`).
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const part = wanted.slice(i, i + CHUNK);
    const start = Math.min(...part.map((w) => w.from));
    let results;
    try {
      results = await session.readHistoryValue(part.map((w) => w.item.nodeId), new Date(start), new Date(end + 1), { numValuesPerNode: 0, returnBounds: false });
    } catch {
      continue;
    }
    results.forEach((r, k) => {
      if (!r.statusCode.isGood()) return;
      const values = (r.historyData as HistoryData | null)?.dataValues ?? [];
      out.set(part[k]!.item, values.filter((dv) => (dv.sourceTimestamp?.getTime() ?? 0) > part[k]!.from));
    });
  }
  return out;
}

/**
 * Fill the gap of every historized item the book has seen before: hand on its newer values in
 * time order and tell the book which live values they make duplicates. Returns the values read.
 */
export async function fillGap(session: ClientSession, items: readonly MonitoredTag[], book: PointBook, hand: (p: CandidatePoint) => void): Promise<number> {
  const wanted = items.flatMap((item) => {
    const from = item.historizing ? book.lastTs(item.tag) : undefined;
    return from === undefined ? [] : [{ item, from }];
  });
  if (wanted.length === 0) return 0;
  const gap = await readGap(session, wanted, Date.now());
  let n = 0;
  for (const [item, values] of gap) {
    for (const dv of values) {
      const p = book.point(item.tag, dv, false, Date.now());
      if (p) hand(p);
      n++;
    }
    const last = values.at(-1)?.sourceTimestamp?.getTime();
    if (last !== undefined) book.backfilledUpTo(item.tag, last);
  }
  return n;
}
