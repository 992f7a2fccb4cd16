import { beforeEach, describe, expect, it } from 'vitest';
import type { SimClock } from '../core/sim-clock.js';
import type { ApiRuleTemplateInput } from '../protocol/alarm-types.js';
import { RuleService } from './rule-service.js';
import { FakeTags, RecordingSink, principal, startRules, type MemoryRuleStore } from './rule-test-kit.js';

const T = 't1';
const LINE = 'site/area/line-1';
const T0 = 1_700_000_000_000;
const eng = principal('engineer');

let tags: FakeTags;
// The service under test and what it is built on (startRules).
let store: MemoryRuleStore, sink: RecordingSink, clock: SimClock, svc: RuleService;

const hot: ApiRuleTemplateInput = {
  id: 'spindle-hot', machineType: 'cnc-mill', name: 'Spindle over temperature',
  condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 2 },
  alarm: { priority: 'high', message: 'Spindle at {spindle_temp}' },
  actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
  enabled: true,
};

beforeEach(async () => {
  tags = new FakeTags();
  for (const m of ['cnc-01', 'cnc-02', 'press-01']) tags.add(T, `${LINE}/${m}/spindle_temp`).add(T, `${LINE}/${m}/Commands/stop`);
  tags.setAsset(T, `${LINE}/cnc-01`, 'cnc-mill');
  tags.setAsset(T, `${LINE}/press-01`, 'press');
  ({ store, sink, clock, svc } = await startRules(tags, T0));
});

describe('rule templates', () => {
  it('makes one instance per machine of the type, and one for a machine that gets the type later', async () => {
    const t = await svc.createTemplate(eng, hot);
    expect(t.assets).toEqual([`${LINE}/cnc-01`]);
    expect(sink.calls.filter((c) => c.op === 'define').map((c) => c.id)).toEqual([`spindle-hot@${LINE}/cnc-01`]);

    // A future machine: its tags arrive, then it is given its type.
    tags.add(T, `${LINE}/cnc-09/spindle_temp`);
    tags.setAsset(T, `${LINE}/cnc-09`, 'cnc-mill');
    const id = `spindle-hot@${LINE}/cnc-09`;
    expect(sink.calls.at(-1)).toMatchObject({ op: 'define', id, rule: { templateId: 'spindle-hot', asset: `${LINE}/cnc-09`, actions: hot.actions } });
    svc.onPoints(T, [{ tag: `${LINE}/cnc-09/spindle_temp`, ts: T0, value: 95, quality: 'good' }]);
    expect(sink.last(id)).toMatchObject({ active: true, message: 'Spindle at 95' });
    expect(svc.rule(T, id)?.templateId).toBe('spindle-hot');
    expect(svc.list(eng).map((r) => r.id)).toEqual([`spindle-hot@${LINE}/cnc-01`, id]);

    // The machine changes type: the instance goes.
    tags.setAsset(T, `${LINE}/cnc-09`, 'lathe');
    expect(sink.calls.at(-1)).toEqual({ op: 'remove', id });
    expect(svc.rule(T, id)).toBeUndefined();
  });

  it('an instance on a machine whose tags do not exist yet starts working when they arrive', async () => {
    await svc.createTemplate(eng, hot);
    tags.setAsset(T, `${LINE}/cnc-10`, 'cnc-mill');
    const id = `spindle-hot@${LINE}/cnc-10`;
    expect(svc.get(eng, id).problem).toMatch(/spindle_temp.*does not exist/);
    svc.onPoints(T, [{ tag: `${LINE}/cnc-10/spindle_temp`, ts: T0, value: 99, quality: 'good' }]);
    expect(sink.last(id)?.active).toBe(true);
  });

  it('an expression naming a tag of a future machine by its variable finds the tag once it exists', async () => {
    await svc.createTemplate(eng, { ...hot, id: 'axis', machineType: 'gantry', actions: [], alarm: { priority: 'low', message: 'axis' }, condition: { kind: 'expression', expression: 'axis_x_pos > 10.0' } });
    tags.setAsset(T, `${LINE}/cnc-11`, 'gantry');
    const id = `axis@${LINE}/cnc-11`;
    expect(svc.get(eng, id).problem).toMatch(/"axis_x_pos" does not exist/);
    tags.add(T, `${LINE}/cnc-11/axis/x/pos`);
    const pos = (value: number) => svc.onPoints(T, [{ tag: `${LINE}/cnc-11/axis/x/pos`, ts: clock.now(), value, quality: 'good' }]);
    pos(20);
    expect(sink.last(id)).toBeUndefined(); // still watching the guessed path
    clock.advanceTo(clock.now() + 60_000); // resolved again
    pos(20);
    expect(sink.last(id)?.active).toBe(true);
    expect(svc.get(eng, id).problem).toBeUndefined();
    clock.advanceTo(clock.now() + 120_000);
    expect(clock.pending).toBe(0); // nothing left to resolve: no timer
  });

  it('instances follow a template change and disappear with it; they cannot be edited alone', async () => {
    await svc.createTemplate(eng, hot);
    const id = `spindle-hot@${LINE}/cnc-01`;
    tags.setLatest(T, `${LINE}/cnc-01/spindle_temp`, 85, T0); // the last-value cache, as ingest keeps it
    svc.onPoints(T, [{ tag: `${LINE}/cnc-01/spindle_temp`, ts: T0, value: 85, quality: 'good' }]);
    expect(sink.last(id)?.active).toBe(true);
    await svc.updateTemplate(eng, 'spindle-hot', { ...hot, condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 90 } });
    expect(sink.last(id)?.active).toBe(false); // re-evaluated from the last value at once
    await expect(svc.update(eng, id, { asset: `${LINE}/cnc-01`, ...hot })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    await expect(svc.remove(eng, id)).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    await svc.removeTemplate(eng, 'spindle-hot');
    expect(sink.calls.at(-1)).toEqual({ op: 'remove', id });
    expect(svc.listTemplates(eng)).toEqual([]);
  });

  it('instances come back from the store at start (derived, not stored)', async () => {
    await svc.createTemplate(eng, hot);
    expect(store.rules.size).toBe(0);
    const sink2 = new RecordingSink();
    const again = new RuleService({ store, tags, latest: tags.latest, alarms: sink2, clock });
    await again.start();
    expect(sink2.calls.filter((c) => c.op === 'define').map((c) => c.id)).toEqual([`spindle-hot@${LINE}/cnc-01`]);
  });

  it('needs an engineer on the whole tenant and checks against a machine of the type', async () => {
    await expect(svc.createTemplate(principal('engineer', LINE), hot)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.createTemplate(eng, { ...hot, id: 'x', condition: { kind: 'threshold', tag: 'oil_temp', op: '>', limit: 1 } }))
      .rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'condition.tag', path: 'oil_temp' } });
    // No machine of the type yet: only shape and syntax.
    await svc.createTemplate(eng, { ...hot, id: 'y', machineType: 'robot', condition: { kind: 'expression', expression: 'joint_temp > 70.0' } });
    await expect(svc.createTemplate(eng, { ...hot, id: 'z', machineType: 'robot', condition: { kind: 'expression', expression: 'joint_temp >' } }))
      .rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: { field: 'condition.expression', position: 12 } });
    await expect(svc.createTemplate(eng, { ...hot, id: 'y' })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    expect(svc.listTemplates(principal('viewer', LINE)).map((t) => t.id)).toEqual(['y']);
  });

  it('checks a template against a machine of its type that has tags', async () => {
    tags.setAsset(T, `${LINE}/lathe-0`, 'lathe'); // typed before its tags arrive
    tags.add(T, `${LINE}/lathe-1/chuck_temp`).add(T, `${LINE}/lathe-1/Commands/stop`);
    tags.setAsset(T, `${LINE}/lathe-1`, 'lathe');
    const lathe = { ...hot, machineType: 'lathe', alarm: { priority: 'low' as const, message: 'chuck {chuck_temp}' } };
    await expect(svc.createTemplate(eng, { ...lathe, id: 'a' })).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { path: 'spindle_temp' } });
    const t = await svc.createTemplate(eng, { ...lathe, id: 'b', condition: { kind: 'threshold', tag: 'chuck_temp', op: '>', limit: 50 } });
    expect(t.assets).toEqual([`${LINE}/lathe-0`, `${LINE}/lathe-1`]);
  });
});
