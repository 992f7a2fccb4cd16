/**
 * Browsing the server: one level for the node picker, and browse rules expanded into variables.
 * @module
 */
import {
  AttributeIds, BrowseDirection, DataType, NodeClass, NodeId, ReferenceTypeIds, resolveNodeId,
  type BrowseDescriptionLike, type ClientSession, type ReferenceDescription,
} from 'node-opcua';
import type { BrowseNode } from '../../core/connector-port.js';
import { LightsoutError } from '../../core/errors.js';
import type { OpcUaBrowseRule } from '../../core/connector-settings.js';

/** The Objects folder, where browsing starts. */
export const OBJECTS_FOLDER = 'i=85';

const CHUNK = 500;

function description(nodeId: string): BrowseDescriptionLike {
  return {
    nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true, nodeClassMask: 0, resultMask: 63,
  };
}

/** Browse many nodes (chunked, following continuation points); one reference list per node. */
async function browseMany(session: ClientSession, nodeIds: readonly string[]): Promise<ReferenceDescription[][]> {
  const out: ReferenceDescription[][] = [];
  for (let i = 0; i < nodeIds.length; i += CHUNK) {
    const part = nodeIds.slice(i, i + CHUNK);
    const results = await session.browse(part.map(description));
    for (const [k, r] of results.entries()) {
      if (!r.statusCode.isGood()) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `cannot browse ${part[k]}: ${r.statusCode.name}`);
      const refs = [...(r.references ?? [])];
      let cp = r.continuationPoint;
      while (cp && cp.length > 0) {
        const next = await session.browseNext(cp, false);
        refs.push(...(next.references ?? []));
        cp = next.continuationPoint;
      }
      out.push(refs);
    }
  }
  return out;
}

function dataTypeName(id: NodeId): string {
  if (id.namespace === 0 && typeof id.value === 'number' && DataType[id.value] !== undefined) return DataType[id.value]!;
  return id.toString();
}

/** One level of the address space below `nodeId` (the Objects folder when omitted). */
export async function browseLevel(session: ClientSession, nodeId: string = OBJECTS_FOLDER): Promise<BrowseNode[]> {
  try {
    resolveNodeId(nodeId);
  } catch {
    throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `"${nodeId}" is not an OPC UA node id`);
  }
  const [refs = []] = await browseMany(session, [nodeId]);
  const vars = refs.filter((r) => r.nodeClass === NodeClass.Variable);
  const types = vars.length === 0 ? [] : await session.read(vars.map((r) => ({ nodeId: r.nodeId, attributeId: AttributeIds.DataType })));
  const typeOf = new Map(vars.map((r, i) => [r.nodeId.toString(), types[i]?.value.value instanceof NodeId ? dataTypeName(types[i]!.value.value as NodeId) : undefined]));
  return refs.map((r) => {
    const nodeClass = (NodeClass[r.nodeClass] ?? 'Unspecified') as BrowseNode['nodeClass'];
    const id = r.nodeId.toString();
    const dt = typeOf.get(id);
    return {
      nodeId: id,
      browseName: r.browseName.name ?? '',
      displayName: r.displayName.text ?? r.browseName.name ?? '',
      nodeClass,
      ...(dt ? { dataType: dt } : {}),
      hasChildren: r.nodeClass === NodeClass.Object || r.nodeClass === NodeClass.View,
    };
  });
}

/** A variable found by a browse rule, with the browse names from the rule's root down to it. */
export interface RuleVariable {
  nodeId: string;
  names: string[];
}

/**
 * Every variable below a rule's root, up to `maxDepth` levels (default 4). Properties
 * (HasProperty: EURange, EngineeringUnits, ...) are metadata, not tags, and are skipped; so is
 * anything below a variable.
 */
export async function expandRule(session: ClientSession, rule: OpcUaBrowseRule): Promise<RuleVariable[]> {
  const found: RuleVariable[] = [];
  const seen = new Set<string>();
  let level: RuleVariable[] = [{ nodeId: rule.root, names: [] }];
  const hasProperty = resolveNodeId(ReferenceTypeIds.HasProperty).toString();
  for (let depth = 0; depth < (rule.maxDepth ?? 4) && level.length > 0; depth++) {
    const refs = await browseMany(session, level.map((n) => n.nodeId));
    const next: RuleVariable[] = [];
    level.forEach((parent, i) => {
      for (const r of refs[i] ?? []) {
        if (r.referenceTypeId.toString() === hasProperty) continue;
        const id = r.nodeId.toString();
        if (seen.has(id)) continue;
        seen.add(id);
        const node = { nodeId: id, names: [...parent.names, r.browseName.name ?? id] };
        if (r.nodeClass === NodeClass.Variable) found.push(node);
        else if (r.nodeClass === NodeClass.Object || r.nodeClass === NodeClass.View) next.push(node);
      }
    });
    level = next;
  }
  return found;
}
