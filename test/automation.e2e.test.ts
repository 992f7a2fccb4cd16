/**
 * Lights-out automation end to end: a real platform, the virtual factory's machining line over
 * Sparkplug B, a rule on a CNC mill's spindle temperature whose action stops the machine. The
 * simulator's coolant pump is failed on purpose (`Commands/fault_coolant`); the spindle heats,
 * the alarm is raised, the rule's stop goes through the command path as `rule:<id>` (commands
 * list, audit trail, interlock), the machine stops and cools. A second machine whose stop has an
 * interlock that does not hold keeps running, and the alarm's journal says `action-failed`.
 * Then the demo as `npm start` runs it: machine types, templates, the demo pager, and the
 * template rule stopping an overheating mill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualFactory } from '../src/sim/factory.js';
import { getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let factory: VirtualFactory;

// One machining line (Sparkplug B) of two CNC mills. With the default seed both run for minutes
// before their first starvation or fault.
const CNC1 = 'shanghai-lingang/machining/line-1/cnc-01';
const CNC2 = 'shanghai-lingang/machining/line-1/cnc-02';
const api = (path: string) => `${platform.httpUrl}/api/v1${path}`;

async function startLine(): Promise<void> {
  platform = await startTestPlatform({ commandReadbackMs: 5000 });
  factory = new VirtualFactory({ mqttUrl: platform.mqttUrl, ...platform.mqttAuth, tenant: 'demo', factories: 1, lines: 1, machines: 2, rateHz: 2 });
  await factory.start();
  await waitFor(async () => {
    const tags = await Promise.all([CNC1, CNC2].map(async (m) => (await getJson(api(`/tags?prefix=${m}/Commands/fault_coolant`))).body.tags?.length === 1));
    return tags.every(Boolean);
  }, 15_000, 'the mills\' tags');
}

async function latest(tag: string): Promise<{ value: any; ts: number; quality: string }> {
  const r = await getJson(api(`/latest?tag=${encodeURIComponent(tag)}`));
  return r.body.points[0];
}

/** A person's command: request and confirm; resolves with the final command. */
async function command(machine: string, method: string, key: string): Promise<any> {
  const r = await sendJson('POST', api('/commands'), { kind: 'call', machine, method, idempotencyKey: key });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await sendJson('POST', api(`/commands/${r.body.command.id}/confirm`));
  return waitFor(async () => {
    const c = (await getJson(api(`/commands/${r.body.command.id}`))).body;
    return ['succeeded', 'failed', 'expired', 'rejected', 'cancelled'].includes(c.state) ? c : undefined;
  }, 8000, `${method} on ${machine}`);
}

/** A rule on the mill: spindle_temp a few degrees above where it is now; on raise, call stop. */
async function overTemperatureRule(id: string, machine: string): Promise<number> {
  const now = Number((await latest(`${machine}/spindle_temp`)).value);
  const limit = Math.round(now + 6);
  const r = await sendJson('POST', api('/rules'), {
    id, asset: machine, name: 'Spindle over temperature', enabled: true,
    condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit, deadband: 1 }, onDelayS: 2,
    alarm: { priority: 'high', message: 'Spindle at {spindle_temp} (limit {limit})' },
    actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return limit;
}

/** Audit records of the machine's stop commands, oldest first. */
const commandAudit = async (machine: string): Promise<any[]> =>
  ((await getJson(api(`/audit?action=command.&target=${encodeURIComponent(`${machine}/Commands/stop`)}&limit=100`))).body.records as any[]).reverse();

const journal = async (id: string): Promise<any[]> =>
  (await getJson(api(`/alarms/history?alarm=${encodeURIComponent(id)}&from=${Date.now() - 600_000}&limit=100`))).body.events ?? [];

describe('lights-out automation', () => {
  beforeAll(startLine, 30_000);
  afterAll(async () => {
    await factory?.stop();
    await platform?.stop();
  });

  it('an over-temperature raises the alarm, the rule stops the machine through the command path, and the spindle cools', async () => {
    expect((await latest(`${CNC1}/state`)).value).toBe('running');
    const limit = await overTemperatureRule('cnc-01-hot', CNC1);
    const broken = await command(CNC1, 'fault_coolant', 'automation-fault-1');
    expect(broken.state).toBe('succeeded');

    const alarm = await waitFor(async () => {
      const a = (await getJson(api(`/alarms/${encodeURIComponent('cnc-01-hot')}`))).body;
      return a.conditionActive === true ? a : undefined;
    }, 30_000, 'the alarm to be raised');
    expect(alarm).toMatchObject({ id: 'cnc-01-hot', area: CNC1, priority: 'high', state: 'unacknowledged' });
    expect(Number(alarm.value)).toBeGreaterThan(limit);

    // The stop is a command by the rule, like anyone's: listed, confirmed by the rule itself, read back.
    const stop = await waitFor(async () => {
      const list = (await getJson(api('/commands?limit=50'))).body.commands as any[];
      const c = list.find((x) => x.requestedBy?.id === 'rule:cnc-01-hot');
      return c && c.state === 'succeeded' ? c : undefined;
    }, 15_000, 'the rule\'s stop to succeed');
    expect(stop).toMatchObject({ kind: 'call', machine: CNC1, method: 'stop', tag: `${CNC1}/Commands/stop` });
    expect(stop.requestedBy.name).toBe('rule:cnc-01-hot');
    expect(stop.history.map((h: any) => h.state)).toEqual(['requested', 'authorised', 'awaiting-confirmation', 'sent', 'acknowledged', 'succeeded']);

    // The audit trail: the rule requested and confirmed it; the platform followed it to the readback.
    const trail = (await commandAudit(CNC1)).filter((r) => r.detail?.command === stop.id);
    expect(trail.map((r) => [r.action, r.actor])).toEqual([
      ['command.requested', 'rule:cnc-01-hot'], ['command.confirmed', 'rule:cnc-01-hot'], ['command.sent', 'rule:cnc-01-hot'],
      ['command.succeeded', 'system'],
    ]);

    const events = await journal('cnc-01-hot');
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['raise', 'action']));
    expect(events.find((e) => e.kind === 'action').text).toContain(stop.id);

    // The machine stands still and its spindle cools.
    await waitFor(async () => (await latest(`${CNC1}/state`)).value === 'idle', 5000, 'cnc-01 idle');
    const hot = await latest(`${CNC1}/spindle_temp`);
    // The extra heat goes with a 30 s time constant: over 8 s a good part of it.
    await new Promise((r) => setTimeout(r, 8000));
    const later = await latest(`${CNC1}/spindle_temp`);
    expect(later.ts).toBeGreaterThan(hot.ts);
    expect(Number(later.value)).toBeLessThan(Number(hot.value) - 1);
    // The alarm clears once the spindle is back below limit − deadband.
    await waitFor(async () => (await getJson(api('/alarms/cnc-01-hot'))).body.conditionActive === false, 45_000, 'the alarm to clear');
  }, 120_000);

  it('an interlock that does not hold refuses the automatic stop: the machine keeps running, the journal says action-failed', async () => {
    // Stopping cnc-02 is allowed only while its spindle is below 60 °C: not the case once it overheats.
    const marked = await sendJson('PATCH', api('/tags'), { tags: [{ path: `${CNC2}/Commands/stop`, interlock: 'tags["spindle_temp"] < 60.0' }] });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    expect((await latest(`${CNC2}/state`)).value).toBe('running');
    await overTemperatureRule('cnc-02-hot', CNC2);
    expect((await command(CNC2, 'fault_coolant', 'automation-fault-2')).state).toBe('succeeded');

    const failed = await waitFor(async () => (await journal('cnc-02-hot')).find((e) => e.kind === 'action-failed'), 40_000, 'action-failed in the journal');
    expect(failed.by).toBe('rule:cnc-02-hot');
    expect(failed.text).toMatch(/interlock/i);
    const refused = ((await getJson(api('/commands?limit=50'))).body.commands as any[]).find((c) => c.requestedBy?.id === 'rule:cnc-02-hot');
    expect(refused).toMatchObject({ state: 'rejected', kind: 'call', machine: CNC2, method: 'stop' });
    const trail = (await commandAudit(CNC2)).filter((r) => r.detail?.command === refused.id);
    expect(trail.map((r) => [r.action, r.actor, r.outcome])).toEqual([['command.requested', 'rule:cnc-02-hot', 'ok'], ['command.rejected', 'system', 'denied']]);

    // The alarm stands (the interlock refused the action, not the alarm), and the machine still runs.
    expect((await getJson(api('/alarms/cnc-02-hot'))).body).toMatchObject({ state: 'unacknowledged', conditionActive: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await latest(`${CNC2}/state`)).value).toBe('running');
  }, 90_000);
});

describe('the demo (npm start)', () => {
  const MILL = 'shanghai-lingang/machining/line-1/cnc-01';
  const ALARM = `demo-spindle-overtemp@${MILL}`;

  beforeAll(async () => {
    platform = await startTestPlatform({ demo: true, commandReadbackMs: 5000 });
  }, 30_000);
  afterAll(async () => {
    await platform?.stop();
  });

  it('types the machines, applies its templates to every machine of a type, and pages a local demo pager', async () => {
    const flat = (nodes: any[]): any[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
    // Every protocol's machines, once their tags arrived (OPC UA and Modbus are polled by connectors).
    const machines = [MILL, 'shanghai-lingang/assembly/line-1/press-01', 'shanghai-lingang/packaging/line-1/packer-01', 'shanghai-lingang/machining/line-1/conveyor-01', 'shanghai-lingang/assembly/line-1/robot-01'];
    const assets = await waitFor(async () => {
      const all = flat((await getJson(api('/assets'))).body.assets);
      return machines.every((m) => all.some((a) => a.path === m)) ? all : undefined;
    }, 15_000, 'every machine in the asset tree');
    const typeOf = (path: string) => assets.find((a) => a.path === path)?.machineType;
    expect(machines.map(typeOf)).toEqual(['cnc-mill', 'press', 'packer', 'conveyor', 'robot']);
    expect(typeOf('shanghai-lingang/machining/line-1')).toBeUndefined();
    const templates = (await getJson(api('/rule-templates'))).body.templates as any[];
    const byId = new Map(templates.map((t) => [t.id, t]));
    expect(byId.get('demo-spindle-overtemp')).toMatchObject({
      machineType: 'cnc-mill', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 3 }, onDelayS: 3,
      alarm: { priority: 'high' }, actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
    });
    expect(byId.get('demo-spindle-overtemp').assets).toEqual([MILL, `${MILL.slice(0, -2)}02`, `${MILL.slice(0, -2)}03`]);
    expect(byId.get('demo-press-oil-temp').assets).toHaveLength(2);
    expect(byId.get('demo-conveyor-current').assets).toHaveLength(4);
    // Communication loss on every machine of the plant (3 lines of 5).
    expect(templates.filter((t) => t.id.startsWith('demo-comm-loss-')).reduce((n, t) => n + t.assets.length, 0)).toBe(15);
    const rules = (await getJson(api(`/rules?asset=${encodeURIComponent(MILL)}`))).body.rules as any[];
    expect(rules.map((r) => r.id).sort()).toEqual([`demo-comm-loss-cnc-mill@${MILL}`, ALARM]);
    const rosters = (await getJson(api('/rosters'))).body.rosters as any[];
    expect(rosters).toEqual([expect.objectContaining({ id: 'demo-oncall', entries: [expect.objectContaining({ targets: ['demo-pager'] })] })]);
    const targets = (await getJson(api('/notification-targets'))).body.targets as any[];
    expect(targets).toEqual([expect.objectContaining({ id: 'demo-pager', kind: 'webhook', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/demo-pager$/) })]);
  });

  it('fault_coolant on a demo mill: the template rule stops it above 80 °C, and the demo pager is paged', async () => {
    await waitFor(async () => (await latest(`${MILL}/state`))?.value === 'running', 10_000, 'cnc-01 running');
    expect((await command(MILL, 'fault_coolant', 'demo-fault-1')).state).toBe('succeeded');
    const alarm = await waitFor(async () => {
      const a = (await getJson(api(`/alarms/${encodeURIComponent(ALARM)}`))).body;
      return a.conditionActive === true ? a : undefined;
    }, 60_000, 'the spindle alarm');
    expect(Number(alarm.value)).toBeGreaterThan(80);
    const stop = await waitFor(async () => ((await getJson(api('/commands?limit=50'))).body.commands as any[])
      .find((c) => c.requestedBy?.id === `rule:${ALARM}` && c.state === 'succeeded'), 15_000, 'the rule\'s stop');
    expect(stop).toMatchObject({ machine: MILL, method: 'stop' });
    await waitFor(async () => (await latest(`${MILL}/state`)).value === 'idle', 5000, 'cnc-01 idle');
    const job = await waitFor(async () => ((await getJson(api('/notifications?limit=100'))).body.jobs as any[])
      .find((j) => j.alarmId === ALARM && j.targetId === 'demo-pager' && j.state === 'delivered'), 10_000, 'the demo pager paged');
    expect(job.attempts).toBe(1);
  }, 90_000);
});
