/**
 * From Sparkplug ids to Lightsout tag paths.
 *
 * A Sparkplug id can never hold '/', because it is one MQTT topic level, yet an ISA-95 path has
 * many levels. So `pathMapping` reads ':' inside a group, edge node or device id as a level
 * separator: group `shanghai:assembly` becomes `shanghai/assembly`. Metric names are already
 * '/'-separated folders in Sparkplug ("Node Control/Rebirth"), and those folders stay path levels.
 * A node-level metric (NBIRTH/NDATA, no device) drops the template level that holds `{device}`.
 *
 * @example
 * const map = pathMapping('{group}/{node}/{device}/{metric}');
 * map({ group: 'shanghai:assembly', node: 'line-1', device: 'cnc-01', metric: 'Spindle/Speed' });
 * // → 'shanghai/assembly/line-1/cnc-01/Spindle/Speed'
 * map({ group: 'shanghai:assembly', node: 'line-1', metric: 'bdSeq' });
 * // → 'shanghai/assembly/line-1/bdSeq'
 * @module
 */
import { LightsoutError } from '../../core/errors.js';
import { parseTagPath } from '../../core/tag-path.js';

/** The ids that name one Sparkplug metric. `device` is absent for the edge node's own metrics. */
export interface MetricIds {
  group: string;
  node: string;
  device?: string;
  metric: string;
}

/** Maps a metric's ids to its tag path; throws (LIGHTSOUT_BAD_TAG_PATH) when no valid path results. */
export type SparkplugMapping = (ids: MetricIds) => string;

/** The default template: group levels, edge node, device, then the metric's own folders. */
export const DEFAULT_PATH_TEMPLATE = '{group}/{node}/{device}/{metric}';

const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN = new Set(['group', 'node', 'device', 'metric']);

interface Segment {
  /** The template level, placeholders and all. */
  text: string;
  /** Dropped for node-level metrics. */
  hasDevice: boolean;
}

/**
 * Builds the default mapping from a template of `/`-separated levels using `{group}`, `{node}`,
 * `{device}` and `{metric}` (fixed text may surround them, e.g. `acme/{group}/{node}/{device}/{metric}`).
 * Throws LIGHTSOUT_CONFIG_INVALID for a template without `{metric}` or with an unknown placeholder.
 * The returned function validates every path with core's tag-path rules.
 */
export function pathMapping(template: string = DEFAULT_PATH_TEMPLATE): SparkplugMapping {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `Sparkplug path template "${template}" has unknown placeholder {${unknown[0]}} (use {group}, {node}, {device}, {metric})`);
  }
  if (!names.includes('metric')) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `Sparkplug path template "${template}" must contain {metric}`);
  }
  const segments: Segment[] = template.split('/').map((text) => ({ text, hasDevice: text.includes('{device}') }));
  return (ids: MetricIds): string => {
    const levels: string[] = [];
    for (const seg of segments) {
      if (seg.hasDevice && ids.device === undefined) continue;
      levels.push(seg.text.replace(PLACEHOLDER, (_all, name: string) => fill(name, ids)));
    }
    const path = levels.join('/');
    parseTagPath(path); // throws LIGHTSOUT_BAD_TAG_PATH naming the bad level
    return path;
  };
}

function fill(name: string, ids: MetricIds): string {
  switch (name) {
    case 'group': return ids.group.replaceAll(':', '/');
    case 'node': return ids.node.replaceAll(':', '/');
    case 'device': return (ids.device ?? '').replaceAll(':', '/');
    default: return ids.metric; // metric names keep their '/' folders and any ':'
  }
}
