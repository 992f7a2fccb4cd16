/**
 * What the connector monitors: the configured nodes plus the variables browse rules find, each
 * checked against the server (does the node exist, what is its data type, does it keep history).
 * @module
 */
import { AttributeIds, DataType, NodeId, resolveNodeId, type ClientSession } from 'node-opcua';
import type { TagIssue } from '../../core/connector-port.js';
import type { OpcUaDeadband, OpcUaSettings } from '../../core/connector-settings.js';
import { expandRule } from './browse.js';
import { ruleTag } from './node-mapping.js';

/** One monitored variable. */
export interface MonitoredTag {
  tag: string;
  nodeId: string;
  samplingIntervalMs: number;
  queueSize: number;
  deadband?: OpcUaDeadband;
  /** Built-in data type, once read from the server. */
  dataType?: DataType;
  /** The server keeps history of it (AccessLevel HistoryRead): gaps can be filled. */
  historizing: boolean;
}

/** The plan of one session, and the tags that could not be monitored. */
export interface ItemPlan {
  items: MonitoredTag[];
  missing: TagIssue[];
}

const READ_CHUNK = 1000;
const HISTORY_READ_BIT = 0x04;

/** The configured items, browse rules expanded (a rule whose root fails becomes one issue). */
export async function planItems(session: ClientSession, s: OpcUaSettings, now: number): Promise<ItemPlan> {
  const defSampling = s.samplingIntervalMs ?? 1000;
  const items: MonitoredTag[] = [];
  const missing: TagIssue[] = [];
  for (const n of s.nodes ?? []) {
    items.push({ tag: n.tag, nodeId: n.nodeId, samplingIntervalMs: n.samplingIntervalMs ?? defSampling, queueSize: n.queueSize ?? 10, ...(n.deadband ? { deadband: n.deadband } : {}), historizing: false });
  }
  for (const r of s.browseRules ?? []) {
    try {
      for (const v of await expandRule(session, r)) {
        items.push({ tag: ruleTag(r.tagPrefix, v.names), nodeId: v.nodeId, samplingIntervalMs: r.samplingIntervalMs ?? defSampling, queueSize: r.queueSize ?? 10, ...(r.deadband ? { deadband: r.deadband } : {}), historizing: false });
      }
    } catch (err) {
      missing.push({ tag: `${r.tagPrefix}/*`, code: 'LIGHTSOUT_NOT_FOUND', message: `browse rule root ${r.root}: ${(err as Error).message}`, since: now });
    }
  }
  const ok: MonitoredTag[] = [];
  for (let i = 0; i < items.length; i += READ_CHUNK) {
    const part = items.slice(i, i + READ_CHUNK);
    const valid = part.filter((it) => {
      try {
        resolveNodeId(it.nodeId);
        return true;
      } catch {
        missing.push({ tag: it.tag, code: 'LIGHTSOUT_NOT_FOUND', message: `"${it.nodeId}" is not a valid node id`, since: now });
        return false;
      }
    });
    const reads = await session.read(valid.flatMap((it) => [
      { nodeId: it.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: it.nodeId, attributeId: AttributeIds.AccessLevel },
    ]));
    valid.forEach((it, k) => {
      const dt = reads[2 * k]!;
      const al = reads[2 * k + 1]!;
      if (!dt.statusCode.isGood()) {
        missing.push({ tag: it.tag, code: 'LIGHTSOUT_NOT_FOUND', message: `node ${it.nodeId}: ${dt.statusCode.name}`, since: now });
        return;
      }
      const id = dt.value.value as NodeId;
      if (id.namespace === 0 && typeof id.value === 'number' && DataType[id.value] !== undefined) it.dataType = id.value as DataType;
      it.historizing = al.statusCode.isGood() && ((al.value.value as number) & HISTORY_READ_BIT) !== 0;
      ok.push(it);
    });
  }
  return { items: ok, missing };
}
