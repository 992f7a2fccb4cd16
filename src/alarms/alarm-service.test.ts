import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmActionRunner, AlarmNotifier, AlarmRecord, EscalationStep } from '../core/alarm-port.js';
import { LightsoutError } from '../core/errors.js';
import type { RuleAction, RuleDefinition } from '../core/rule-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { AlarmService } from './alarm-service.js';
import { CELL, TENANT, person, rule, startService } from './alarm-test-kit.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const operator = person('olga', 'operator', 'plant/machining');
const engineer = person('erik', 'engineer', 'plant/machining/line-1');
const viewer = person('vera', 'viewer');

class FakeNotifier implements AlarmNotifier {
  calls: string[] = [];
  fail = false;
  constructor(private readonly clock: SimClock) {}
  raised(alarm: AlarmRecord, direct: readonly string[]): EscalationStep | undefined {
    if (this.fail) throw new Error('roster broken');
    this.calls.push(`raised ${alarm.id} ${alarm.state} [${direct.join(',')}]`);
    return { step: 0, person: 'ann', dueTs: this.clock.now() + 10 * MIN };
  }
  escalate(alarm: AlarmRecord, step: number): EscalationStep | undefined {
    this.calls.push(`escalate ${alarm.id} ${step}`);
    return step < 2 ? { step, person: `p${step}`, dueTs: this.clock.now() + 10 * MIN } : { step, person: 'last' };
  }
}

class FakeRunner implements AlarmActionRunner {
  runs: string[] = [];
  fail: Error | undefined;
  async run(r: RuleDefinition, a: RuleAction): Promise<string> {
    this.runs.push(`${r.id} ${a.on}`);
    if (this.fail) throw this.fail;
    return `cmd-${this.runs.length}`;
  }
}

let db: TempAlarmDb;
let store: SqliteAlarmStore;
let clock: SimClock;
let notifier: FakeNotifier;
let runner: FakeRunner;
let svc: AlarmService;

const raise = (id: string, value = 85) => svc.condition(TENANT, id, true, clock.now(), { value, message: `Spindle at ${value} °C` });
const clear = (id: string) => svc.condition(TENANT, id, false, clock.now(), { value: 70, message: 'Spindle at 70 °C' });
const state = (id: string) => svc.get(viewer, id).state;
const journal = async (id: string) => (await svc.history(viewer, { from: 0, to: T0 + 1e9, alarmId: id, limit: 1000 })).events.reverse()
  .map((e) => `${e.kind}:${e.from}>${e.to}${e.text ? ` (${e.text})` : ''}`);
const settle = () => new Promise((r) => setTimeout(r, 5));

beforeEach(async () => {
  db = new TempAlarmDb('lightsout-alarm-svc-');
  store = await db.open();
  clock = new SimClock(T0);
  notifier = new FakeNotifier(clock);
  runner = new FakeRunner();
  svc = await startService(store, clock, { notifier, actions: runner });
});
afterEach(async () => {
  await svc.stop();
  await db.remove();
});

describe('AlarmService', () => {
  it('takes an alarm through raise, ack and clear; operator actions resolve once durable', async () => {
    svc.define(rule('hot'));
    raise('hot');
    await svc.flush();
    expect(svc.list(viewer).map((a) => [a.id, a.state, a.message, a.value])).toEqual([['hot', 'unacknowledged', 'Spindle at 85 °C', 85]]);
    const acked = await svc.ack(operator, 'hot', 'coolant checked');
    expect(acked).toMatchObject({ state: 'acknowledged', ackedBy: 'olga', comments: [{ by: 'olga', text: 'coolant checked' }] });
    // Durable at once: a second handle on the file sees it.
    const other = await db.open();
    expect((await other.loadAlarms()).find((r) => r.id === 'hot')).toMatchObject({ state: 'acknowledged', ackedBy: 'olga' });
    clear('hot');
    await svc.flush();
    expect(svc.list(viewer)).toEqual([]);
    expect(svc.list(viewer, { all: true })).toHaveLength(1);
    expect(await journal('hot')).toEqual(['raise:normal>unacknowledged', 'ack:unacknowledged>acknowledged (coolant checked)', 'clear:acknowledged>normal']);
    await expect(svc.ack(operator, 'hot')).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    expect(() => svc.get(viewer, 'nope')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
  });

  it('tells listeners only after the change is durable', async () => {
    svc.define(rule('hot'));
    await svc.flush();
    const heard: Array<[string, string, string | undefined]> = [];
    const unsubscribe = svc.subscribe((tenant, a) => {
      // What the store holds at the moment the listener is told.
      void store.loadAlarms().then((rs) => heard.push([tenant, a.state, rs.find((r) => r.id === a.id)?.state]));
    });
    raise('hot');
    expect(heard).toEqual([]);
    await svc.flush();
    await settle();
    expect(heard).toEqual([[TENANT, 'unacknowledged', 'unacknowledged']]);
    unsubscribe();
    clear('hot');
    await svc.flush();
    await settle();
    expect(heard).toHaveLength(1);
  });

  it('latched alarms wait for a reset; a disabled rule clears its alarm', async () => {
    svc.define(rule('trip', {}, { latched: true }));
    raise('trip');
    clear('trip');
    await svc.ack(operator, 'trip');
    expect(state('trip')).toBe('latched');
    await expect(svc.reset(viewer, 'trip')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect((await svc.reset(operator, 'trip', 'breaker reset')).state).toBe('normal');
    svc.define(rule('hot'));
    raise('hot');
    svc.define(rule('hot', { enabled: false }));
    expect(svc.get(viewer, 'hot')).toMatchObject({ state: 'returned-unacknowledged', conditionActive: false });
  });

  it('shelves for at most alarmMaxShelveMinutes and unshelves when the shelve expires', async () => {
    svc.define(rule('hot'));
    raise('hot');
    expect(() => svc.shelve(operator, 'hot', 'nuisance', 481)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_REQUEST' }));
    expect(() => svc.shelve(operator, 'hot', ' ', 30)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_REQUEST' }));
    const s = await svc.shelve(operator, 'hot', 'sensor swap', 30);
    expect(s).toMatchObject({ state: 'shelved', shelved: { by: 'olga', reason: 'sensor swap', untilTs: T0 + 30 * MIN } });
    clock.advance(29 * MIN);
    expect(state('hot')).toBe('shelved');
    clock.advance(MIN);
    expect(state('hot')).toBe('unacknowledged'); // still active at the expiry
    await svc.flush();
    expect(await journal('hot')).toEqual(['raise:normal>unacknowledged', 'shelve:unacknowledged>shelved (sensor swap)', 'unshelve:shelved>unacknowledged (shelve expired)']);
    // An unshelve by hand cancels the expiry.
    await svc.shelve(operator, 'hot', 'again', 10);
    clear('hot');
    expect((await svc.unshelve(operator, 'hot')).state).toBe('normal');
    expect(clock.pending).toBe(0); // no shelve expiry left, and nothing to escalate in normal
  });

  it('notifies on every entry into unacknowledged, escalates on time, and stops escalating on ack', async () => {
    svc.define(rule('hot', {}, { notify: ['ops-hook'] }));
    raise('hot');
    expect(notifier.calls).toEqual(['raised hot unacknowledged [ops-hook]']);
    expect(svc.get(viewer, 'hot').escalationStep).toBe(0);
    clock.advance(10 * MIN);
    expect(notifier.calls.at(-1)).toBe('escalate hot 1');
    clear('hot'); // returned-unacknowledged still escalates
    clock.advance(10 * MIN);
    expect(notifier.calls.at(-1)).toBe('escalate hot 2');
    clock.advance(60 * MIN); // step 2 was the last one
    expect(notifier.calls).toHaveLength(3);
    raise('hot'); // re-alarm: a new raise, escalation starts over
    expect(notifier.calls.at(-1)).toBe('raised hot unacknowledged [ops-hook]');
    await svc.ack(operator, 'hot');
    clock.advance(60 * MIN);
    expect(notifier.calls).toHaveLength(4);
    expect(svc.get(viewer, 'hot').escalationStep).toBe(0);
    // Shelved and out-of-service alarms are not annunciated; their return while active is.
    clear('hot');
    await svc.shelve(operator, 'hot', 'r', 5);
    raise('hot');
    expect(notifier.calls).toHaveLength(4);
    clock.advance(5 * MIN);
    expect(notifier.calls.at(-1)).toBe('raised hot unacknowledged [ops-hook]');
  });

  it('a throwing notifier never blocks or loses an alarm', async () => {
    notifier.fail = true;
    svc.define(rule('hot'));
    raise('hot');
    await svc.flush();
    expect(state('hot')).toBe('unacknowledged');
    expect(await journal('hot')).toEqual(['raise:normal>unacknowledged', 'notify-failed:unacknowledged>unacknowledged (notifier: roster broken)']);
    expect((await store.loadAlarms())[0]!.state).toBe('unacknowledged');
  });

  it('runs automatic actions on raise and clear, also while shelved or suppressed, never out of service; failures are journaled', async () => {
    const actions: RuleAction[] = [{ on: 'raise', command: { kind: 'call', method: 'stop' } }, { on: 'clear', command: { kind: 'write', tag: 'coolant', value: false } }];
    svc.define(rule('hot', { actions }));
    raise('hot');
    await settle();
    clear('hot');
    await settle();
    await svc.flush();
    expect(runner.runs).toEqual(['hot raise', 'hot clear']);
    const h = (await svc.history(viewer, { from: 0, to: T0 + 1e9, alarmId: 'hot', kinds: ['action', 'action-failed'], limit: 10 })).events.reverse();
    expect(h.map((e) => [e.kind, e.by, e.text])).toEqual([['action', 'rule:hot', 'call stop: command cmd-1'], ['action', 'rule:hot', 'write coolant = false: command cmd-2']]);
    await svc.shelve(operator, 'hot', 'r', 60);
    raise('hot');
    svc.suppression(TENANT, 'hot', true, clock.now());
    await svc.unshelve(operator, 'hot');
    expect(state('hot')).toBe('suppressed');
    clear('hot');
    await svc.outOfService(engineer, 'hot', 'rebuild');
    raise('hot');
    clear('hot');
    expect(runner.runs).toEqual(['hot raise', 'hot clear', 'hot raise', 'hot clear']);
    runner.fail = new LightsoutError('LIGHTSOUT_INTERLOCK', 'door open');
    await svc.inService(engineer, 'hot');
    svc.suppression(TENANT, 'hot', false, clock.now());
    raise('hot');
    await settle();
    await svc.flush();
    expect(state('hot')).toBe('unacknowledged');
    expect((await journal('hot')).at(-1)).toBe('action-failed:unacknowledged>unacknowledged (call stop: LIGHTSOUT_INTERLOCK: door open)');
  });

  it('checks roles: viewers read, operators on the area act, engineers put alarms out of service', async () => {
    svc.define(rule('hot'));
    svc.define(rule('press', { asset: 'plant/pressing/line-1/press-01' }));
    raise('hot');
    raise('press');
    const lineViewer = person('lina', 'viewer', 'plant/machining/line-1');
    const pressOperator = person('pete', 'operator', 'plant/pressing');
    const stranger = { ...person('sam', 'admin'), tenant: 'other' };
    expect(svc.list(lineViewer).map((a) => a.id)).toEqual(['hot']);
    expect(svc.list(viewer).map((a) => a.id).sort()).toEqual(['hot', 'press']);
    expect(svc.list(stranger)).toEqual([]);
    expect(() => svc.get(stranger, 'hot')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
    // An alarm outside everything the caller may see does not exist for them.
    expect(() => svc.get(pressOperator, 'hot')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
    await expect(svc.ack(viewer, 'hot')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.ack(pressOperator, 'hot')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(svc.ackMany(operator, ['hot', 'press'])).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(svc.ackMany(person('vic', 'viewer', 'plant/machining'), ['hot'])).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect(state('hot')).toBe('unacknowledged'); // nothing acknowledged by the refused batch
    await expect(svc.comment(viewer, 'hot', 'x')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.shelve(viewer, 'hot', 'x', 5)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.outOfService(operator, 'hot', 'pump swap')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.outOfService(person('ed', 'engineer', 'plant/pressing'), 'hot', 'x')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(svc.outOfService(person('vic', 'viewer', 'plant/machining'), 'hot', 'x')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect((await svc.outOfService(engineer, 'hot', 'pump swap')).outOfService).toMatchObject({ by: 'erik', reason: 'pump swap' });
    await expect(svc.inService(operator, 'hot')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect((await svc.inService(engineer, 'hot')).state).toBe('unacknowledged');
    expect((await svc.ackMany(person('all', 'operator'), ['hot', 'press', 'hot'])).map((a) => a.state)).toEqual(['acknowledged', 'acknowledged']);
    // History within the caller's scope only.
    const seen = (await svc.history(lineViewer, { from: 0, to: T0 + 1e9, limit: 100 })).events.map((e) => e.alarmId);
    expect(new Set(seen)).toEqual(new Set(['hot']));
    await expect(svc.history(pressOperator, { from: 0, to: T0 + 1e9, area: 'plant/machining', limit: 100 })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.figures(lineViewer, { from: T0 - MIN, to: T0 + MIN })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect((await svc.figures(lineViewer, { from: T0 - MIN, to: T0 + MIN, area: 'plant/machining/line-1' })).badActors.map((b) => b.alarmId)).toEqual(['hot']);
  });

  it('pages the history by seq and finds words', async () => {
    for (let i = 0; i < 5; i++) svc.define(rule(`r${i}`, { name: i === 3 ? 'Press oil temperature' : `Rule ${i}` }));
    for (let i = 0; i < 5; i++) raise(`r${i}`, 80 + i);
    await svc.flush();
    const p1 = await svc.history(viewer, { from: 0, to: T0 + 1e9, limit: 3 });
    expect(p1.events.map((e) => e.alarmId)).toEqual(['r4', 'r3', 'r2']);
    const p2 = await svc.history(viewer, { from: 0, to: T0 + 1e9, limit: 3, beforeSeq: p1.nextBefore! });
    expect(p2.events.map((e) => e.alarmId)).toEqual(['r1', 'r0']);
    expect(p2.nextBefore).toBeUndefined();
    expect((await svc.history(viewer, { from: 0, to: T0 + 1e9, limit: 9, text: 'oil' })).events.map((e) => e.alarmId)).toEqual(['r3']);
  });

  it('journals a removed rule and drops its alarm', async () => {
    svc.define(rule('hot'));
    raise('hot');
    await svc.flush();
    const heard: string[] = [];
    svc.subscribe((_t, a) => heard.push(`${a.id} ${a.state}`));
    svc.remove(TENANT, 'hot');
    await svc.flush();
    expect(heard).toEqual(['hot normal']);
    expect(await store.loadAlarms()).toEqual([]);
    expect(svc.list(viewer, { all: true })).toEqual([]);
    expect((await journal('hot')).at(-1)).toBe('rule-removed:unacknowledged>normal');
    svc.note(TENANT, 'hot', 'notify', 'late'); // dropped quietly
  });

  it('suppression from the rules engine hides and returns the alarm', async () => {
    svc.define(rule('hot', { asset: `${CELL}` }));
    svc.suppression(TENANT, 'hot', true, clock.now());
    raise('hot');
    expect(state('hot')).toBe('suppressed');
    expect(notifier.calls).toEqual([]);
    svc.suppression(TENANT, 'hot', false, clock.now());
    expect(state('hot')).toBe('unacknowledged');
    expect(notifier.calls).toHaveLength(1);
  });

  it('disabling a rule clears its alarm without running the rule\'s clear actions', async () => {
    svc.define(rule('hot', { actions: [{ on: 'clear', command: { kind: 'call', method: 'restart' } }] }));
    raise('hot');
    svc.define(rule('hot', { enabled: false, actions: [{ on: 'clear', command: { kind: 'call', method: 'restart' } }] }));
    await settle();
    expect(svc.get(viewer, 'hot').conditionActive).toBe(false);
    expect(runner.runs).toEqual([]);
  });

  it('keeps calls from the rules engine made before start, and drops those after stop', async () => {
    const later = new AlarmService({ store, clock, settings: { maxShelveMinutes: 60 } });
    later.define(rule('early'));
    later.condition(TENANT, 'early', true, clock.now(), { message: 'early raise' });
    await later.start();
    expect(later.get(viewer, 'early')).toMatchObject({ state: 'unacknowledged', message: 'early raise' });
    await later.stop();
    later.condition(TENANT, 'early', false, clock.now(), { message: 'after stop' });
    expect(later.get(viewer, 'early').state).toBe('unacknowledged');
  });
});
