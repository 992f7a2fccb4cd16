/**
 * Part of the composition root: rules, ISA-18.2 alarms, notifications and the rules' automatic
 * actions, on the metadata database, fed by every durable point (docs/alarms.md).
 *
 * Start order: notifications (targets, rosters, the outbox), then alarms (records; re-armed
 * shelve expiries and escalations may notify at once), then rules (evaluated once from the last
 * values), then the ingest hook. Stop runs the other way: the hook goes quiet, rules stop their
 * timers, alarms flush what is pending, notifications stop delivering.
 * @module
 */
import type { Logger } from 'pino';
import { AlarmService } from './alarms/alarm-service.js';
import { NotificationService } from './alarms/notification-service.js';
import { RuleActionRunner } from './alarms/rule-action-runner.js';
import type { CommandService } from './commands/command-service.js';
import type { Config } from './config/schema.js';
import type { StoredPoint, Point } from './core/point.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { LastValueCache } from './ingest/last-value-cache.js';
import type { TagRegistry } from './ingest/tag-registry.js';
import { RuleService } from './rules/rule-service.js';
import { SqliteAlarmStore } from './store/sqlite/sqlite-alarm-store.js';
import { SqliteRuleStore } from './store/sqlite/sqlite-rule-store.js';
import type { SqliteStore } from './store/sqlite/sqlite-store.js';

/** What {@link startAlarms} wires together. */
export interface AlarmWiring {
  config: Readonly<Pick<Config, 'alarmMaxShelveMinutes' | 'smtpUrl' | 'smtpFrom' | 'notificationMaxAttempts' | 'notificationTimeoutMs'>>;
  store: SqliteStore;
  registry: TagRegistry;
  cache: LastValueCache;
  pipeline: IngestPipeline;
  commands: CommandService;
  historian: { raw(tagId: number, from: number, to: number, limit: number): Promise<StoredPoint[]> };
  log: Logger;
}

/** The running alarm side of the platform. */
export interface AlarmsRunning {
  rules: RuleService;
  alarms: AlarmService;
  notifications: NotificationService;
  stop(): Promise<void>;
}

/** Build and start notifications, alarms and rules; hook rules to ingest. */
export async function startAlarms(w: AlarmWiring): Promise<AlarmsRunning> {
  const db = w.store.connection();
  const alarmStore = new SqliteAlarmStore(db);
  const log = w.log.child({ component: 'alarms' });
  const latest = (tenant: string, path: string): Point | undefined => {
    const t = w.registry.get(tenant, path);
    const p = t && w.cache.get(t.id);
    return p && { tag: path, ts: p.ts, value: p.value, quality: p.quality };
  };

  // Notifications journal through the alarms, which notify through them: the service is set below.
  let alarms: AlarmService | undefined;
  const notifications = new NotificationService({
    store: alarmStore, log,
    settings: { ...(w.config.smtpUrl ? { smtpUrl: w.config.smtpUrl } : {}), smtpFrom: w.config.smtpFrom, maxAttempts: w.config.notificationMaxAttempts, timeoutMs: w.config.notificationTimeoutMs },
    siteTimeZone: (tenant, area) => w.registry.assetMeta(tenant, area.split('/')[0] ?? '')?.timeZone,
    journal: (tenant, id, kind, text) => alarms?.note(tenant, id, kind, text),
  });
  alarms = new AlarmService({
    store: alarmStore, notifier: notifications, actions: new RuleActionRunner({ commands: w.commands }),
    settings: { maxShelveMinutes: w.config.alarmMaxShelveMinutes }, log,
  });
  const rules = new RuleService({
    store: new SqliteRuleStore(db), tags: w.registry, latest, alarms, log,
    history: async (tenant, path, from, to, limit) => {
      const t = w.registry.get(tenant, path);
      if (!t) return [];
      return (await w.historian.raw(t.id, from, to, limit)).map((p) => ({ tag: path, ts: p.ts, value: p.value, quality: p.quality }));
    },
  });

  const started: Array<() => Promise<void> | void> = [];
  let running = false;
  const stop = async (): Promise<void> => {
    running = false;
    for (const s of started.splice(0).reverse()) {
      try {
        await s();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'error while stopping alarms');
      }
    }
  };
  try {
    await notifications.start();
    started.push(() => notifications.stop());
    await alarms.start();
    started.push(() => alarms!.stop());
    await rules.start();
    started.push(() => rules.stop());
    running = true;
    // Pipeline hooks cannot be removed; once stopped, points are ignored here.
    w.pipeline.onPoints((tenant, points) => {
      if (!running) return;
      try {
        rules.onPoints(tenant, points);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'rule evaluation failed');
      }
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { rules, alarms, notifications, stop };
}
