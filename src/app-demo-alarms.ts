/**
 * Part of the composition root: the demo's alarms. The demo tenant gets rule templates for its
 * simulated machine types (spindle over-temperature that stops the CNC mill, communication loss
 * on every machine, press oil temperature, conveyor motor current) and an on-call roster whose
 * one target is the **demo pager**: a webhook receiver inside this process, on the loopback
 * address, that logs what it receives. So the demo shows the whole chain (alarm → roster →
 * delivery log → escalation) without sending anything out of the machine. See docs/alarms.md.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from './core/auth.js';
import type { MachineKind } from './sim/machine-types.js';
import type { ApiNotificationTarget, ApiRoster, ApiRuleTemplateInput } from './protocol/alarm-types.js';

/** What the demo needs of the rules service (src/rules/rule-service.ts). */
export interface DemoRuleService {
  listTemplates(p: Principal): ReadonlyArray<{ id: string }> | Promise<ReadonlyArray<{ id: string }>>;
  createTemplate(p: Principal, input: ApiRuleTemplateInput): Promise<unknown>;
  /**
   * Stop evaluating (idempotent). The demo calls it when the platform shuts down, before its
   * simulator's devices die, so that its own shutdown raises no communication-loss alarms.
   */
  stop?(): void;
}

/** What the demo needs of the notification service (src/alarms/notification-service.ts). */
export interface DemoNotificationService {
  saveTarget(p: Principal, input: ApiNotificationTarget): Promise<unknown>;
  listRosters(p: Principal): ReadonlyArray<{ id: string }> | Promise<ReadonlyArray<{ id: string }>>;
  saveRoster(p: Principal, input: ApiRoster): Promise<unknown>;
}

/** The alarm services the composition root hands the demo, when alarms are wired. */
export interface DemoAlarmServices {
  rules?: DemoRuleService;
  notifications?: DemoNotificationService;
}

/** Id of the demo pager's notification target and of the demo roster. */
export const DEMO_PAGER_TARGET = 'demo-pager';
export const DEMO_ROSTER = 'demo-oncall';

/**
 * The demo's rule templates. `rateHz` is the simulator's update rate: communication loss waits
 * for at least ten missed updates.
 */
export function demoRuleTemplates(kinds: readonly MachineKind[], rateHz: number): ApiRuleTemplateInput[] {
  const staleS = Math.max(30, Math.ceil(10 / rateHz));
  const out: ApiRuleTemplateInput[] = [];
  if (kinds.includes('cnc-mill')) {
    out.push({
      id: 'demo-spindle-overtemp', machineType: 'cnc-mill', name: 'Spindle over temperature',
      description: 'Spindle bearing too hot (coolant failure?): the rule stops the machine before the bearing is damaged.',
      condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 3 }, onDelayS: 3,
      alarm: { priority: 'high', message: 'Spindle bearing at {spindle_temp} (limit {limit}): machine stopped by the rule' },
      actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }], enabled: true,
    });
  }
  if (kinds.includes('press')) {
    out.push({
      id: 'demo-press-oil-temp', machineType: 'press', name: 'Hydraulic oil hot',
      description: 'Hydraulic oil above 60 °C ages seals and oil; check the oil cooler.',
      condition: { kind: 'threshold', tag: 'oil_temp', op: '>', limit: 60, deadband: 2 }, onDelayS: 5,
      alarm: { priority: 'medium', message: 'Hydraulic oil at {oil_temp} (limit {limit})' }, enabled: true,
    });
  }
  if (kinds.includes('conveyor')) {
    out.push({
      id: 'demo-conveyor-current', machineType: 'conveyor', name: 'Conveyor motor current high',
      description: 'The drive draws more than usual: friction, a jam or a failing bearing.',
      condition: { kind: 'threshold', tag: 'motor_current', op: '>', limit: 12, deadband: 1 }, onDelayS: 10,
      alarm: { priority: 'low', message: 'Conveyor motor current {motor_current} (limit {limit})' }, enabled: true,
    });
  }
  for (const kind of kinds) {
    out.push({
      id: `demo-comm-loss-${kind}`, machineType: kind, name: 'Communication loss',
      description: `No value from the machine for ${staleS} s, or its data turned bad (the device or its connection is down).`,
      // vibration_rms changes on every update of every simulated machine, so it is never quiet for long.
      condition: { kind: 'stale', tag: 'vibration_rms', afterS: staleS },
      alarm: { priority: 'medium', message: `No data from the machine for ${staleS} s` }, enabled: true,
    });
  }
  return out;
}

/** A webhook receiver on 127.0.0.1 that logs what it gets: the demo roster's pager. */
export async function startDemoPager(log: { info(obj: object, msg?: string): void }): Promise<{ url: string; received: number; close(): Promise<void> }> {
  const state = { received: 0 };
  const server: Server = createServer((req, res) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 256 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      state.received++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: string; person?: string; alarm?: { id?: string; message?: string; priority?: string } };
        log.info({ event: body.event, person: body.person, alarm: body.alarm?.id, priority: body.alarm?.priority, message: body.alarm?.message }, 'demo pager: notification received');
      } catch {
        log.info({ bytes: size }, 'demo pager: notification received (not JSON)');
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/demo-pager`,
    get received() {
      return state.received;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Give the demo tenant its rule templates (only when it has none: an engineer's choice stays)
 * and its on-call roster with the demo pager (the roster only when absent; the pager's target
 * follows the pager's port at every start). Failures are logged, never fatal: the demo runs on.
 */
export async function setUpDemoAlarms(o: {
  services: DemoAlarmServices;
  system: Principal;
  kinds: readonly MachineKind[];
  rateHz: number;
  pagerUrl?: string;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}): Promise<void> {
  const { rules, notifications } = o.services;
  if (rules) {
    try {
      if ((await rules.listTemplates(o.system)).length === 0) {
        for (const t of demoRuleTemplates(o.kinds, o.rateHz)) await rules.createTemplate(o.system, t);
        o.log.info({ templates: demoRuleTemplates(o.kinds, o.rateHz).map((t) => t.id) }, 'demo rule templates created');
      }
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, 'demo rule templates not created');
    }
  }
  if (notifications && o.pagerUrl) {
    try {
      await notifications.saveTarget(o.system, { id: DEMO_PAGER_TARGET, kind: 'webhook', name: 'Demo pager (logs on the platform\'s console)', url: o.pagerUrl });
      if (!(await notifications.listRosters(o.system)).some((r) => r.id === DEMO_ROSTER)) {
        await notifications.saveRoster(o.system, {
          id: DEMO_ROSTER, name: 'Demo on call', area: '', ackTimeoutMinutes: 10, minPriority: 'medium',
          entries: [{ person: 'Demo operator', targets: [DEMO_PAGER_TARGET] }],
        });
      }
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, 'demo roster not set up');
    }
  }
}
