/**
 * A simulated machine as the protocol servers (OPC UA, Modbus TCP) see it.
 * @module
 */
import type { Value } from '../core/point.js';
import type { TagSpec } from './machine-types.js';

/** One machine served by a simulator: its tags, their live values and how it takes commands. */
export interface SimMachine {
  /** Tenant-relative asset path, e.g. `shanghai-lingang/assembly/line-2/robot-03`. */
  assetPath: string;
  id: string;
  tags: readonly TagSpec[];
  /** Live values aligned with `tags`, updated in place by the factory. */
  values: readonly Value[];
  methods: readonly string[];
  /** Apply a write (`name` = tag) or a method call (`method` set); false refuses it. */
  onCommand(cmd: { name: string; value: Value; method?: string }): boolean;
}
