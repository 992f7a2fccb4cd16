/**
 * The layout of the virtual plant: sites in Shanghai industrial parks, areas, lines and
 * machines, and how each line reaches the platform (Sparkplug B edge node or UNS JSON).
 * Pure data: building a layout does no I/O, so tests and the CLI can print it.
 * @module
 */
import { MACHINE_TYPES, tagsFor, type MachineKind, type MachineType, type TagKind, type TagSpec } from './machine-types.js';

/**
 * How a line reaches the platform: one Sparkplug B edge node per line, UNS JSON per machine, or
 * an OPC UA server the platform's connector reads.
 */
export type LineProtocol = 'sparkplug' | 'uns' | 'opcua';

/**
 * Which lines use which protocol. `mixed`: packaging lines speak UNS JSON, the others Sparkplug B.
 * `all` (the demo): machining lines Sparkplug B with their conveyors on Modbus TCP, assembly lines
 * OPC UA, packaging lines UNS JSON. `sparkplug` and `uns` put every line on one protocol (benchmarks).
 */
export type ProtocolMix = 'mixed' | 'all' | 'sparkplug' | 'uns';

/** Options of {@link buildPlant}. */
export interface PlantOptions {
  /** Tenant the UNS topics are published under. Default `demo`. */
  tenant?: string;
  /** Number of sites. Default 1. */
  factories?: number;
  /** Lines per site, dealt round-robin over the areas. Default 3 (one per area). */
  lines?: number;
  /** Machines per line. Default 5. */
  machines?: number;
  /** Extra `aux_NNN` tags per machine on top of its type's own (scale runs). Default 0. */
  tags?: number;
  /** Default `mixed`. */
  protocol?: ProtocolMix;
}

/** How a UNS machine shapes its messages (see the UNS conventions in the architecture). */
export type UnsForm = 'batch' | 'single';

/** One machine of the plant. */
export interface MachineSpec {
  /** Machine id, the last level of its asset path and its Sparkplug device_id: `cnc-01`. */
  id: string;
  type: MachineType;
  /** `site/area/line/machine`, relative to the tenant. */
  assetPath: string;
  /** The tags it publishes, in publishing order. */
  tags: TagSpec[];
  /** UNS only: batch messages on the asset topic, or one message per tag. */
  unsForm: UnsForm;
  /** Served by a Modbus TCP server instead of the line's own protocol (a simple PLC). */
  modbus?: boolean;
}

/** One production line: one Sparkplug edge node, or a group of UNS machines. */
export interface LineSpec {
  site: string;
  area: string;
  /** Line id, e.g. `line-1`; also the Sparkplug edge_node_id. */
  line: string;
  /** `site/area/line`. */
  assetPath: string;
  protocol: LineProtocol;
  /** Sparkplug group_id: `site:area`, which the platform splits into two path levels. */
  groupId: string;
  machines: MachineSpec[];
}

/** One site (factory). */
export interface SiteSpec {
  name: string;
  /** IANA time zone, for shift calendars and the hall temperature cycle. */
  timezone: string;
  lines: LineSpec[];
}

/** The whole virtual plant. */
export interface PlantLayout {
  tenant: string;
  sites: SiteSpec[];
}

/** Real industrial parks around Shanghai, used in order as site names. */
export const SHANGHAI_SITES: readonly string[] = [
  'shanghai-lingang',
  'shanghai-jinqiao',
  'shanghai-songjiang',
  'shanghai-jiading',
  'shanghai-caohejing',
  'shanghai-zhangjiang',
  'shanghai-minhang',
  'shanghai-baoshan',
  'shanghai-qingpu',
  'shanghai-fengxian',
];

/** The areas of every site, in the order lines are dealt to them. */
export const AREAS: readonly string[] = ['machining', 'assembly', 'packaging'];

// What stands on a line of each area; longer lines repeat the pattern.
const AREA_MACHINES: Readonly<Record<string, readonly MachineKind[]>> = {
  machining: ['cnc-mill', 'cnc-mill', 'robot', 'cnc-mill', 'conveyor'],
  assembly: ['press', 'robot', 'robot', 'press', 'conveyor'],
  packaging: ['conveyor', 'packer', 'packer', 'robot', 'conveyor'],
};

/** Defaults of {@link PlantOptions}. */
export const PLANT_DEFAULTS = { tenant: 'demo', factories: 1, lines: 3, machines: 5, protocol: 'mixed' } as const;

/** The name of site number `i` (0-based): the park list, then numbered repeats. */
export function siteName(i: number): string {
  const n = SHANGHAI_SITES.length;
  return i < n ? SHANGHAI_SITES[i]! : `${SHANGHAI_SITES[i % n]}-${Math.floor(i / n) + 1}`;
}

/**
 * Build the plant layout.
 *
 * @example
 * const plant = buildPlant({ lines: 3, machines: 5 });
 * // plant.sites[0].lines[0].machines[0].assetPath === 'shanghai-lingang/machining/line-1/cnc-01'
 */
export function buildPlant(opts: PlantOptions = {}): PlantLayout {
  const o = { ...PLANT_DEFAULTS, ...opts };
  const sites: SiteSpec[] = [];
  for (let s = 0; s < o.factories; s++) {
    const site = siteName(s);
    const lines: LineSpec[] = [];
    for (let l = 0; l < o.lines; l++) {
      const area = AREAS[l % AREAS.length]!;
      const line = `line-${Math.floor(l / AREAS.length) + 1}`;
      const protocol: LineProtocol = o.protocol === 'mixed' || o.protocol === 'all'
        ? (area === 'packaging' ? 'uns' : area === 'assembly' && o.protocol === 'all' ? 'opcua' : 'sparkplug')
        : o.protocol;
      const assetPath = `${site}/${area}/${line}`;
      const pattern = AREA_MACHINES[area]!;
      const perKind = new Map<MachineKind, number>();
      const machines: MachineSpec[] = [];
      for (let m = 0; m < o.machines; m++) {
        const type = MACHINE_TYPES[pattern[m % pattern.length]!];
        const n = (perKind.get(type.kind) ?? 0) + 1;
        perKind.set(type.kind, n);
        const id = `${type.idPrefix}-${String(n).padStart(2, '0')}`;
        // The fifth machine of a UNS line shows the single-tag message form beside the batches.
        const unsForm: UnsForm = m % 5 === 4 ? 'single' : 'batch';
        // In the full demo, the machining lines' conveyors hang on a Modbus TCP PLC.
        const modbus = o.protocol === 'all' && area === 'machining' && type.kind === 'conveyor';
        machines.push({ id, type, assetPath: `${assetPath}/${id}`, tags: tagsFor(type, o.tags), unsForm, ...(modbus ? { modbus } : {}) });
      }
      lines.push({ site, area, line, assetPath, protocol, groupId: `${site}:${area}`, machines });
    }
    sites.push({ name: site, timezone: 'Asia/Shanghai', lines });
  }
  return { tenant: o.tenant, sites };
}

/** Every line of a layout, flattened. */
export function allLines(plant: PlantLayout): LineSpec[] {
  return plant.sites.flatMap((s) => s.lines);
}

/** Every machine of a layout, flattened. */
export function allMachines(plant: PlantLayout): MachineSpec[] {
  return allLines(plant).flatMap((l) => l.machines);
}

/** What the metadata map says about one tag. */
export interface TagMeta {
  kind: TagKind;
  unit?: string;
  min?: number;
  max?: number;
  description: string;
}

/**
 * Units, ranges and descriptions of every tag, keyed by tag path (`site/area/line/machine/tag`),
 * for seeding the tag registry; Sparkplug births and UNS JSON carry values, not units.
 */
export function plantMetadata(plant: PlantLayout): Map<string, TagMeta> {
  const out = new Map<string, TagMeta>();
  for (const m of allMachines(plant)) {
    for (const t of m.tags) {
      const meta: TagMeta = { kind: t.kind, description: t.description };
      if (t.unit !== undefined) meta.unit = t.unit;
      if (t.min !== undefined) meta.min = t.min;
      if (t.max !== undefined) meta.max = t.max;
      out.set(`${m.assetPath}/${t.name}`, meta);
    }
  }
  return out;
}

/** Points per second a layout asks for at `rateHz` updates per tag per second. */
export function pointsPerSecond(plant: PlantLayout, rateHz: number): number {
  return allMachines(plant).reduce((sum, m) => sum + m.tags.length, 0) * rateHz;
}

/**
 * What the demo marks for remote commands: every writable setpoint, with the interlock
 * `state != "fault"` (no setpoint changes on a machine in fault); the packers' sealing
 * temperature is critical (a second person approves), since a wrong value spoils film and product.
 */
export function demoCommandMeta(plant: PlantLayout): Array<{ path: string; writable: true; critical: boolean; interlock: string }> {
  const out: Array<{ path: string; writable: true; critical: boolean; interlock: string }> = [];
  for (const m of allMachines(plant)) {
    for (const t of m.tags) {
      if (t.writable) out.push({ path: `${m.assetPath}/${t.name}`, writable: true, critical: t.name === 'seal_temp_sp', interlock: 'state != "fault"' });
    }
  }
  return out;
}
