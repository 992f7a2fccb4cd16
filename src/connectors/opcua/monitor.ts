/**
 * The connector's one subscription: monitored items grouped by their parameters (sampling
 * interval, queue size, deadband), every data change handed to one callback with its item.
 * @module
 */
import {
  AttributeIds, ClientSubscription, DataChangeFilter, DataChangeTrigger, DeadbandType, TimestampsToReturn,
  type ClientMonitoredItemGroup, type ClientSession, type DataValue,
} from 'node-opcua';
import type { OpcUaSettings } from '../../core/connector-settings.js';
import type { MonitoredTag } from './item-plan.js';

/** Items per CreateMonitoredItems request. */
const CREATE_CHUNK = 1000;

/** An item the server refused, with the status it gave. */
export interface RefusedItem {
  item: MonitoredTag;
  status: string;
}

function paramsKey(it: MonitoredTag): string {
  return `${it.samplingIntervalMs}|${it.queueSize}|${it.deadband?.kind ?? ''}|${it.deadband?.value ?? ''}`;
}

/** One subscription and its monitored items. */
export class Monitor {
  private sub: ClientSubscription | undefined;
  private readonly groups: ClientMonitoredItemGroup[] = [];

  constructor(
    private readonly session: ClientSession,
    private readonly s: OpcUaSettings,
    private readonly onChange: (item: MonitoredTag, dv: DataValue) => void,
    private readonly onTerminated: (why: string) => void,
  ) {}

  /** Create the subscription and every item; resolves with the items the server refused. */
  async start(items: readonly MonitoredTag[]): Promise<RefusedItem[]> {
    const sub = await this.session.createSubscription2({
      requestedPublishingInterval: this.s.publishingIntervalMs ?? 1000,
      requestedLifetimeCount: 60,
      requestedMaxKeepAliveCount: 10,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    this.sub = sub;
    sub.on('terminated', () => this.onTerminated('subscription terminated'));
    sub.on('status_changed', (status) => {
      if (status.isNotGood()) this.onTerminated(`subscription status ${status.name}`);
    });
    const byParams = new Map<string, MonitoredTag[]>();
    for (const it of items) {
      const k = paramsKey(it);
      const list = byParams.get(k) ?? [];
      list.push(it);
      byParams.set(k, list);
    }
    const refused: RefusedItem[] = [];
    for (const list of byParams.values()) {
      const first = list[0]!;
      const filter = first.deadband
        ? new DataChangeFilter({ trigger: DataChangeTrigger.StatusValue, deadbandType: first.deadband.kind === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute, deadbandValue: first.deadband.value })
        : null;
      for (let i = 0; i < list.length; i += CREATE_CHUNK) {
        const part = list.slice(i, i + CREATE_CHUNK);
        const group = await sub.monitorItems(
          part.map((it) => ({ nodeId: it.nodeId, attributeId: AttributeIds.Value })),
          { samplingInterval: first.samplingIntervalMs, queueSize: first.queueSize, discardOldest: true, filter },
          TimestampsToReturn.Both,
        );
        this.groups.push(group);
        group.on('changed', (_mi, dv, index) => {
          const it = part[index];
          if (it) this.onChange(it, dv);
        });
        group.monitoredItems.forEach((mi, k) => {
          if (mi.statusCode.isNotGood()) refused.push({ item: part[k]!, status: mi.statusCode.name });
        });
      }
    }
    return refused;
  }

  /** Delete the subscription (best effort: the session may already be gone). */
  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = undefined;
    if (sub) {
      sub.removeAllListeners('terminated');
      sub.removeAllListeners('status_changed');
      await sub.terminate().catch(() => undefined);
    }
  }
}
