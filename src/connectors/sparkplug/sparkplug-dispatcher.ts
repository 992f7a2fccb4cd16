/**
 * Commands through Sparkplug: a tag born by an edge node is written with an NCMD or DCMD naming
 * its metric; a machine method `m` is the device's `Commands/m` metric, set to true.
 * @module
 */
import { commandTagPath, type CommandDispatcher, type DispatchRequest } from '../../core/command-port.js';
import type { SparkplugHost } from './host.js';

/** The CommandDispatcher over a Sparkplug host. `tenantOf` says which tenant owns a group. */
export class SparkplugDispatcher implements CommandDispatcher {
  constructor(private readonly host: SparkplugHost, private readonly tenantOf: (group: string) => string | undefined) {}

  owns(tenant: string, tagPath: string): boolean {
    const t = this.host.commandTarget(tagPath);
    return t !== undefined && this.tenantOf(t.group) === tenant;
  }

  online(tenant: string, tagPath: string): boolean {
    return this.owns(tenant, tagPath) && this.host.targetOnline(tagPath);
  }

  async send(req: DispatchRequest): Promise<void> {
    const a = req.action;
    await this.host.command(commandTagPath(a), a.kind === 'write' ? a.value : true);
  }
}
