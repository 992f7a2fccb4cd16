import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DEMO_PAGER_TARGET, DEMO_ROSTER, demoRuleTemplates, setUpDemoAlarms, startDemoPager, type DemoAlarmServices } from './app-demo-alarms.js';
import type { Principal } from './core/auth.js';
import { RosterInputSchema, RuleTemplateInputSchema, type ApiNotificationTarget, type ApiRoster, type ApiRuleTemplateInput } from './protocol/alarm-types.js';
import { MACHINE_TYPES, type MachineKind } from './sim/machine-types.js';

const KINDS = Object.keys(MACHINE_TYPES) as MachineKind[];
const SYSTEM: Principal = { kind: 'system', id: 'system', name: 'system', tenant: 'demo', grants: [{ role: 'admin', scope: '' }], platformOperator: true };
const quiet = { info() {}, warn() {} };

function fakes(existing: { templates?: string[]; rosters?: string[] } = {}) {
  const templates: ApiRuleTemplateInput[] = [];
  const targets: ApiNotificationTarget[] = [];
  const rosters: ApiRoster[] = [];
  const services: DemoAlarmServices = {
    rules: {
      listTemplates: () => [...(existing.templates ?? []).map((id) => ({ id })), ...templates.map((t) => ({ id: t.id! }))],
      createTemplate: async (_p, t) => void templates.push(t),
    },
    notifications: {
      saveTarget: async (_p, t) => void targets.push(t),
      listRosters: async () => [...(existing.rosters ?? []).map((id) => ({ id })), ...rosters],
      saveRoster: async (_p, r) => void rosters.push(r),
    },
  };
  return { services, templates, targets, rosters };
}

describe('the demo\'s rule templates', () => {
  it('are valid API input naming tags the simulated machine types have', () => {
    const all = demoRuleTemplates(KINDS, 1);
    for (const t of all) {
      expect(Value.Check(RuleTemplateInputSchema, t), t.id).toBe(true);
      const tags = MACHINE_TYPES[t.machineType as MachineKind].tags.map((x) => x.name);
      const c = t.condition;
      if ('tag' in c) expect(tags, t.id).toContain(c.tag);
    }
    expect(all.map((t) => t.id)).toEqual(expect.arrayContaining(['demo-spindle-overtemp', 'demo-press-oil-temp', 'demo-conveyor-current', ...KINDS.map((k) => `demo-comm-loss-${k}`)]));
    expect(all.find((t) => t.id === 'demo-spindle-overtemp')).toMatchObject({
      machineType: 'cnc-mill', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 3 }, onDelayS: 3,
      alarm: { priority: 'high' }, actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
    });
  });

  it('wait for ten missed updates before calling it communication loss, at least 30 s', () => {
    const stale = (rate: number) => demoRuleTemplates(['robot'], rate).find((t) => t.id === 'demo-comm-loss-robot')!.condition;
    expect(stale(1)).toEqual({ kind: 'stale', tag: 'vibration_rms', afterS: 30 });
    expect(stale(0.1)).toMatchObject({ afterS: 100 });
    // The method that overheats the mill exists, and only the kinds present get templates.
    expect(MACHINE_TYPES['cnc-mill'].faultMethods).toContain('fault_coolant');
    expect(demoRuleTemplates(['robot'], 1).map((t) => t.id)).toEqual(['demo-comm-loss-robot']);
  });
});

describe('setUpDemoAlarms', () => {
  it('creates the templates, the pager target and the roster on a fresh tenant', async () => {
    const f = fakes();
    await setUpDemoAlarms({ services: f.services, system: SYSTEM, kinds: KINDS, rateHz: 1, pagerUrl: 'http://127.0.0.1:9/demo-pager', log: quiet });
    expect(f.templates).toHaveLength(demoRuleTemplates(KINDS, 1).length);
    expect(f.targets).toEqual([expect.objectContaining({ id: DEMO_PAGER_TARGET, kind: 'webhook', url: 'http://127.0.0.1:9/demo-pager' })]);
    expect(f.rosters).toHaveLength(1);
    expect(Value.Check(RosterInputSchema, f.rosters[0])).toBe(true);
    expect(f.rosters[0]).toMatchObject({ id: DEMO_ROSTER, area: '', entries: [{ targets: [DEMO_PAGER_TARGET] }] });
  });

  it('leaves an engineer\'s templates and roster alone, but follows the pager to its new port', async () => {
    const f = fakes({ templates: ['my-own'], rosters: [DEMO_ROSTER] });
    await setUpDemoAlarms({ services: f.services, system: SYSTEM, kinds: KINDS, rateHz: 1, pagerUrl: 'http://127.0.0.1:10/demo-pager', log: quiet });
    expect(f.templates).toEqual([]);
    expect(f.rosters).toEqual([]);
    expect(f.targets.map((t) => (t as { url: string }).url)).toEqual(['http://127.0.0.1:10/demo-pager']);
  });

  it('logs a refusal and carries on', async () => {
    const f = fakes();
    const warned: string[] = [];
    f.services.rules!.createTemplate = async () => { throw new Error('no such tag'); };
    await setUpDemoAlarms({ services: f.services, system: SYSTEM, kinds: KINDS, rateHz: 1, pagerUrl: 'http://127.0.0.1:9/x', log: { info() {}, warn: (_o, m) => void warned.push(m ?? '') } });
    expect(warned).toEqual(['demo rule templates not created']);
    expect(f.rosters).toHaveLength(1);
  });
});

describe('the demo pager', () => {
  it('takes a webhook POST on the loopback address and logs it', async () => {
    const logged: object[] = [];
    const pager = await startDemoPager({ info: (o) => void logged.push(o) });
    try {
      expect(pager.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/demo-pager$/);
      const res = await fetch(pager.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: 'demo', event: 'raise', person: 'Demo operator', alarm: { id: 'a1', priority: 'high', message: 'hot' } }) });
      expect(res.status).toBe(204);
      expect(pager.received).toBe(1);
      expect(logged).toEqual([{ event: 'raise', person: 'Demo operator', alarm: 'a1', priority: 'high', message: 'hot' }]);
    } finally {
      await pager.close();
    }
  });
});
