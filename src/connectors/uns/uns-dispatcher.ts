/**
 * Commands through the UNS: a tag first seen from source `uns` is written by publishing
 * `uns/<tenant>/<tag path>/set` with `{"value", "commandId"}` (QoS 1, not retained); a machine
 * method `m` is `uns/<tenant>/<machine>/Commands/m/set` with `{"value": true, "args"?, "commandId"}`.
 * The platform never ingests messages on `.../set` topics. Plain MQTT has no birth or death,
 * so a UNS device counts as online; a command it misses fails on its readback timeout.
 * @module
 */
import { commandTagPath, type CommandDispatcher, type DispatchRequest } from '../../core/command-port.js';
import type { Publisher } from '../../core/connector-status.js';

/** The topic suffix of UNS commands. */
export const UNS_SET_SUFFIX = '/set';

/** True for a UNS command topic (`.../set`), which ingest must skip. */
export function isUnsSetTopic(topic: string): boolean {
  return topic.endsWith(UNS_SET_SUFFIX);
}

/** The CommandDispatcher of UNS devices. `sourceOf` gives the source a tag was first seen from. */
export class UnsDispatcher implements CommandDispatcher {
  constructor(private readonly publish: Publisher, private readonly sourceOf: (tenant: string, tagPath: string) => string | undefined) {}

  owns(tenant: string, tagPath: string): boolean {
    return this.sourceOf(tenant, tagPath) === 'uns';
  }

  online(tenant: string, tagPath: string): boolean {
    return this.owns(tenant, tagPath);
  }

  async send(req: DispatchRequest): Promise<void> {
    const a = req.action;
    const body = a.kind === 'write'
      ? { value: a.value, commandId: req.commandId }
      : { value: true, ...(a.args !== undefined ? { args: a.args } : {}), commandId: req.commandId };
    await this.publish(`uns/${req.tenant}/${commandTagPath(a)}${UNS_SET_SUFFIX}`, Buffer.from(JSON.stringify(body), 'utf8'), { qos: 1, retain: false });
  }
}
