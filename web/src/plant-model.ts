/**
 * What the dashboard reads out of the asset tree, the tag catalog and tag names: which nodes are
 * machines, a machine's state colour and its few key values, units and the site's time zone. Tag
 * names follow the plant's conventions (snake_case PLC names); none of this is guessed from values.
 * @module
 */
import type { ApiAsset, ApiPoint, ApiTag } from '../../src/protocol/api-types.js';

/** The colour class of a machine state. */
export type StateClass = 'running' | 'idle' | 'fault' | 'unknown';

/** A machine: an asset node that has tags of its own. */
export interface MachineRef {
  asset: ApiAsset;
  /** Asset path split: site, area, line…, machine. */
  levels: string[];
}

/**
 * The folder of a machine's methods: a Sparkplug device announces `Commands/<method>` metrics,
 * a UNS machine echoes `.../Commands/<method>` after a call. The command panel offers them.
 */
export const METHODS_FOLDER = 'Commands';

// Sparkplug's own folders (`Node Control/Rebirth`, `Properties/...`) become asset levels under an
// edge node; they are protocol plumbing, not machines.
const PROTOCOL_FOLDERS = new Set(['Node Control', 'Device Control', 'Node Info', 'Device Info', 'Properties', METHODS_FOLDER]);

/** Whether an asset is protocol plumbing that the operator screens leave out. */
export function isProtocolFolder(n: Pick<ApiAsset, 'name'>): boolean {
  return PROTOCOL_FOLDERS.has(n.name);
}

/** Whether an asset is a machine: a leaf of the tree that has tags (protocol folders below it aside). */
export function isMachine(n: ApiAsset): boolean {
  return n.tags.length > 0 && !isProtocolFolder(n) && n.children.every(isProtocolFolder);
}

/** The methods a machine announces (`Commands/<method>`), e.g. start, stop, reset. */
export function machineMethods(n: ApiAsset): string[] {
  return n.children.find((c) => c.name === METHODS_FOLDER)?.tags ?? [];
}

/** Every machine below `nodes`, in tree order. */
export function machinesOf(nodes: readonly ApiAsset[]): MachineRef[] {
  const out: MachineRef[] = [];
  const walk = (n: ApiAsset): void => {
    if (isMachine(n)) out.push({ asset: n, levels: n.path.split('/') });
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

/** The asset at `path`, if any. */
export function findAsset(nodes: readonly ApiAsset[], path: string): ApiAsset | undefined {
  for (const n of nodes) {
    if (n.path === path) return n;
    if (path.startsWith(n.path + '/')) return findAsset(n.children, path);
  }
  return undefined;
}

/** The colour class of a `state` value (running green, idle amber, fault/down red, else grey). */
export function stateClass(p: ApiPoint | undefined): StateClass {
  const v = typeof p?.value === 'string' ? p.value.toLowerCase() : '';
  if (v === 'running' || v === 'run' || v === 'producing') return 'running';
  if (v === 'idle' || v === 'starved' || v === 'blocked' || v === 'planned-stop' || v === 'changeover') return 'idle';
  if (v === 'fault' || v === 'down' || v === 'error' || v === 'alarm') return 'fault';
  return 'unknown';
}

/** `spindle_speed` → `spindle speed`: tag names read as words on cards. */
export function tagLabel(name: string): string {
  return name.replace(/_/g, ' ');
}

/** A point is stale when its quality is bad (set after a Sparkplug death or a timeout). */
export function isStale(p: ApiPoint | undefined): boolean {
  return p?.quality === 'bad';
}

// Setpoints describe intent, not the process: never pick them as the machine's key reading.
const SETPOINT = /(_sp|_setpoint)$/;
const KEY_PICKS: RegExp[] = [/^good_count$/, /temp/, /speed|rate|rpm|packs_per_min/, /power|load|pressure|current/];

/** Up to four key tag names of a machine: good count, a temperature, a speed, a load-like one. */
export function keyTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const re of KEY_PICKS) {
    const hit = tags.find((t) => re.test(t) && !SETPOINT.test(t) && !out.includes(t));
    if (hit) out.push(hit);
  }
  return out;
}

// The fallback when the catalog has no unit: only units the tag name states, since a wrong unit
// on an operator screen is worse than none.
const UNIT_SUFFIX: Array<[RegExp, string]> = [
  [/_kw$/, 'kW'], [/_kwh$/, 'kWh'], [/_rpm$/, 'rpm'], [/_pct$|_percent$/, '%'], [/_bar$/, 'bar'],
  [/_degc$|_c$/, '°C'], [/_hz$/, 'Hz'], [/_ms$/, 'ms'], [/_mm$/, 'mm'], [/_v$/, 'V'], [/_a$/, 'A'],
];

/** The unit a tag name states (`power_kw` → kW), or '' when it states none. */
export function unitOf(tagName: string): string {
  for (const [re, unit] of UNIT_SUFFIX) if (re.test(tagName)) return unit;
  return '';
}

/**
 * The unit of the tag at `path`: the catalog's (from the device or PATCH /api/v1/tags), else what
 * its name states, else ''. An empty catalog unit counts as none.
 */
export function unitFor(path: string, catalog: ReadonlyMap<string, Pick<ApiTag, 'unit'>>): string {
  return catalog.get(path)?.unit || unitOf(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * The plant's time zone for a view: the `timeZone` the API gives for the site holding `path` or,
 * with no path (the plant overview), for the first site that has one. Undefined when unknown: no
 * plant clock is better than a wrong one, so nothing is guessed from site names.
 */
export function plantTimeZone(assets: readonly ApiAsset[], path: string): string | undefined {
  const site = path.split('/')[0] ?? '';
  return (site ? assets.filter((a) => a.path === site) : assets).find((a) => a.timeZone)?.timeZone;
}
