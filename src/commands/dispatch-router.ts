/**
 * One CommandDispatcher over several: the first that owns a tag writes it. app.ts lists the
 * connectors' dispatchers, Sparkplug first (a birth is the strongest claim to a tag).
 * @module
 */
import { commandTagPath, type CommandDispatcher, type DispatchRequest } from '../core/command-port.js';
import { LightsoutError } from '../core/errors.js';

/** Routes each command to the dispatcher that owns its tag. */
export class DispatchRouter implements CommandDispatcher {
  constructor(private readonly dispatchers: readonly CommandDispatcher[]) {}

  private ownerOf(tenant: string, tagPath: string): CommandDispatcher | undefined {
    return this.dispatchers.find((d) => d.owns(tenant, tagPath));
  }

  owns(tenant: string, tagPath: string): boolean {
    return this.ownerOf(tenant, tagPath) !== undefined;
  }

  online(tenant: string, tagPath: string): boolean {
    return this.ownerOf(tenant, tagPath)?.online(tenant, tagPath) ?? false;
  }

  async send(req: DispatchRequest): Promise<void> {
    const path = commandTagPath(req.action);
    const d = this.ownerOf(req.tenant, path);
    if (!d) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `no connector can write "${path}"`);
    await d.send(req);
  }
}
