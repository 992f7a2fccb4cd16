/**
 * Sparkplug B 3.0 topics:
 * `spBv1.0/<group_id>/<NBIRTH|NDEATH|NDATA|NCMD|DBIRTH|DDEATH|DDATA|DCMD>/<edge_node_id>[/<device_id>]`
 * and the host application's `spBv1.0/STATE/<host_id>`.
 * Node verbs take exactly an edge node id, device verbs exactly an edge node id and a device id.
 * Ids are non-empty and hold no '/', '+' or '#' (the spec's rule: they are topic levels).
 * @module
 */
import { LightsoutError } from '../../core/errors.js';

/** The Sparkplug B namespace, the first topic level. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** Message types published for an edge node itself. */
export const NODE_MESSAGE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
/** Message types published for a device behind an edge node. */
export const DEVICE_MESSAGE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;

/** A node message type. */
export type NodeMessageType = (typeof NODE_MESSAGE_TYPES)[number];
/** A device message type. */
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];
/** Any edge node or device message type. */
export type EdgeMessageType = NodeMessageType | DeviceMessageType;

/** A parsed node-level topic. */
export interface NodeTopic {
  kind: 'node';
  type: NodeMessageType;
  group: string;
  node: string;
}

/** A parsed device-level topic. */
export interface DeviceTopic {
  kind: 'device';
  type: DeviceMessageType;
  group: string;
  node: string;
  device: string;
}

/** A parsed host application STATE topic. */
export interface StateTopic {
  kind: 'state';
  type: 'STATE';
  hostId: string;
}

/** Any parsed Sparkplug topic. */
export type SparkplugTopic = NodeTopic | DeviceTopic | StateTopic;

const NODE_TYPES: ReadonlySet<string> = new Set(NODE_MESSAGE_TYPES);
const DEVICE_TYPES: ReadonlySet<string> = new Set(DEVICE_MESSAGE_TYPES);

function bad(topic: string, why: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_SPARKPLUG_PROTOCOL', `not a Sparkplug B topic "${topic}": ${why}`, { details: { topic } });
}

function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.includes('+') || id.includes('#')) return 'contains an MQTT wildcard';
  return undefined;
}

/** Parses a Sparkplug topic. Throws LIGHTSOUT_SPARKPLUG_PROTOCOL naming what is wrong. */
export function parseTopic(topic: string): SparkplugTopic {
  const levels = topic.split('/');
  if (levels[0] !== SPARKPLUG_NAMESPACE) throw bad(topic, `the first level must be ${SPARKPLUG_NAMESPACE}`);
  if (levels.length === 3 && levels[1] === 'STATE') {
    const hostId = levels[2]!;
    const problem = idProblem(hostId);
    if (problem) throw bad(topic, `the host id ${problem}`);
    return { kind: 'state', type: 'STATE', hostId };
  }
  if (levels.length < 4) throw bad(topic, 'expected spBv1.0/<group>/<type>/<edge node>[/<device>]');
  const [, group, type, node, device] = levels as [string, string, string, string, string | undefined];
  const names = ['group id', 'message type', 'edge node id', 'device id'];
  for (let i = 1; i < levels.length && i <= 4; i++) {
    const problem = idProblem(levels[i]!);
    if (problem) throw bad(topic, `the ${names[i - 1]} ${problem}`);
  }
  if (NODE_TYPES.has(type)) {
    if (levels.length !== 4) throw bad(topic, `${type} takes no device id`);
    return { kind: 'node', type: type as NodeMessageType, group, node };
  }
  if (DEVICE_TYPES.has(type)) {
    if (levels.length !== 5) throw bad(topic, `${type} needs exactly an edge node id and a device id`);
    return { kind: 'device', type: type as DeviceMessageType, group, node, device: device! };
  }
  throw bad(topic, `unknown message type "${type}"`);
}

function checkId(what: string, id: string): void {
  const problem = id.includes('/') ? 'contains a /' : idProblem(id);
  if (problem) throw new LightsoutError('LIGHTSOUT_SPARKPLUG_PROTOCOL', `Sparkplug ${what} "${id}" ${problem}`);
}

/**
 * Builds an edge node or device topic. Throws LIGHTSOUT_SPARKPLUG_PROTOCOL on an invalid id or
 * when a device type lacks its device id (or a node type has one).
 */
export function buildTopic(type: EdgeMessageType, group: string, node: string, device?: string): string {
  checkId('group id', group);
  checkId('edge node id', node);
  const isDevice = DEVICE_TYPES.has(type);
  if (!isDevice && !NODE_TYPES.has(type)) throw new LightsoutError('LIGHTSOUT_SPARKPLUG_PROTOCOL', `unknown Sparkplug message type "${type}"`);
  if (isDevice !== (device !== undefined)) {
    throw new LightsoutError('LIGHTSOUT_SPARKPLUG_PROTOCOL', `${type} ${isDevice ? 'needs' : 'takes no'} device id`);
  }
  if (device === undefined) return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
  checkId('device id', device);
  return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}/${device}`;
}

/** The host application's STATE topic: `spBv1.0/STATE/<host_id>`. */
export function stateTopic(hostId: string): string {
  checkId('host id', hostId);
  return `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
}
