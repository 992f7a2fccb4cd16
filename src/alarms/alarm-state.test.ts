import { describe, expect, it } from 'vitest';
import type { AlarmRecord, AlarmState } from '../core/alarm-port.js';
import { applyAlarmInput, type AlarmInput } from './alarm-state.js';

const base = (extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id: 'hot', tenant: 'acme', ruleName: 'Hot', area: 'p/a/l/m', priority: 'high', state: 'normal',
  conditionActive: false, message: 'Hot', stateTs: 0, raiseCount: 0, ...extra,
});
const raise: AlarmInput = { kind: 'condition', active: true, value: 85, message: 'Spindle at 85' };
const clear: AlarmInput = { kind: 'condition', active: false, value: 70, message: 'Spindle at 70' };
const ack: AlarmInput = { kind: 'ack' };

/** Run inputs from a record; each step's events and the final record. */
function run(rec: AlarmRecord, inputs: AlarmInput[], latched = false) {
  let r = rec;
  let ts = 1000;
  const path: AlarmState[] = [r.state];
  const kinds: string[] = [];
  for (const i of inputs) {
    const t = applyAlarmInput(r, i, { ts: (ts += 1000), by: 'alice', latched });
    r = t.record;
    path.push(r.state);
    kinds.push(...t.events.map((e) => `${e.kind}:${e.from}>${e.to}`));
  }
  return { r, path, kinds };
}

describe('ISA-18.2 alarm state machine', () => {
  it('raise, ack, clear: normal → unacknowledged → acknowledged → normal', () => {
    const { r, path, kinds } = run(base(), [raise, ack, clear]);
    expect(path).toEqual(['normal', 'unacknowledged', 'acknowledged', 'normal']);
    expect(kinds).toEqual(['raise:normal>unacknowledged', 'ack:unacknowledged>acknowledged', 'clear:acknowledged>normal']);
    expect(r).toMatchObject({ raiseCount: 1, activeTs: 2000, ackedBy: 'alice', ackedTs: 3000, conditionActive: false, message: 'Spindle at 70', value: 70, stateTs: 4000 });
  });

  it('clear before ack: returned-unacknowledged, then ack → normal; a re-alarm goes back to unacknowledged', () => {
    expect(run(base(), [raise, clear, ack]).path).toEqual(['normal', 'unacknowledged', 'returned-unacknowledged', 'normal']);
    const re = run(base(), [raise, clear, raise]);
    expect(re.path).toEqual(['normal', 'unacknowledged', 'returned-unacknowledged', 'unacknowledged']);
    expect(re.kinds[2]).toBe('raise:returned-unacknowledged>unacknowledged');
    expect(re.r.raiseCount).toBe(2);
  });

  it('latched: clear after ack or ack after clear → latched; reset → normal; a raise while latched re-alarms', () => {
    expect(run(base(), [raise, ack, clear, { kind: 'reset' }], true).path).toEqual(['normal', 'unacknowledged', 'acknowledged', 'latched', 'normal']);
    expect(run(base(), [raise, clear, ack, { kind: 'reset', text: 'checked' }], true).kinds)
      .toEqual(['raise:normal>unacknowledged', 'clear:unacknowledged>returned-unacknowledged', 'ack:returned-unacknowledged>latched', 'reset:latched>normal']);
    const re = run(base(), [raise, ack, clear, raise], true);
    expect(re.path.at(-1)).toBe('unacknowledged');
    expect(re.r.ackedBy).toBeUndefined();
  });

  it('refuses actions that do not fit the state with LIGHTSOUT_CONFLICT', () => {
    const ctx = { ts: 1, by: 'alice', latched: false };
    expect(() => applyAlarmInput(base(), ack, ctx)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_CONFLICT' }));
    expect(() => applyAlarmInput(base({ state: 'acknowledged', conditionActive: true }), ack, ctx)).toThrow(/acknowledge/);
    expect(() => applyAlarmInput(base({ state: 'acknowledged', conditionActive: true }), { kind: 'reset' }, ctx)).toThrow(/reset/);
    expect(() => applyAlarmInput(base(), { kind: 'unshelve' }, ctx)).toThrow(/unshelve/);
    expect(() => applyAlarmInput(base(), { kind: 'in-service' }, ctx)).toThrow(/return it to service/);
    const oos = base({ state: 'out-of-service', outOfService: { by: 'e', reason: 'r', ts: 0 } });
    expect(() => applyAlarmInput(oos, { kind: 'shelve', reason: 'x', untilTs: 9 }, ctx)).toThrow(/shelve/);
    expect(() => applyAlarmInput(oos, { kind: 'out-of-service', reason: 'x' }, ctx)).toThrow(/out of service/);
    expect(() => applyAlarmInput(base({ state: 'shelved' }), ack, ctx)).toThrow(/acknowledge/);
  });

  it('shelved: hides raises and clears; unshelve returns to unacknowledged if active, else normal', () => {
    const shelve: AlarmInput = { kind: 'shelve', reason: 'sensor being replaced', untilTs: 99_000 };
    const a = run(base(), [raise, shelve, { kind: 'unshelve' }]);
    expect(a.path).toEqual(['normal', 'unacknowledged', 'shelved', 'unacknowledged']);
    const b = run(base(), [raise, ack, shelve, clear, raise, clear, { kind: 'unshelve', text: 'fixed' }]);
    expect(b.path).toEqual(['normal', 'unacknowledged', 'acknowledged', 'shelved', 'shelved', 'shelved', 'shelved', 'normal']);
    expect(b.kinds.slice(3)).toEqual(['clear:shelved>shelved', 'raise:shelved>shelved', 'clear:shelved>shelved', 'unshelve:shelved>normal']);
    expect(b.r.shelved).toBeUndefined();
    expect(b.r.raiseCount).toBe(2);
    expect(b.r.comments?.[0]).toMatchObject({ by: 'alice', text: 'fixed' });
    const c = run(base(), [shelve]);
    expect(c.r.shelved).toEqual({ by: 'alice', reason: 'sensor being replaced', ts: 2000, untilTs: 99_000 });
    // A shelved alarm whose condition is active at the unshelve is presented again, unacknowledged.
    const d = run(base(), [shelve, raise, { kind: 'unshelve' }]);
    expect(d.path).toEqual(['normal', 'shelved', 'shelved', 'unacknowledged']);
  });

  it('suppressed by design: suppress/unsuppress from any shown state; under a shelve or out-of-service only the flag changes', () => {
    const on: AlarmInput = { kind: 'suppression', suppressed: true };
    const off: AlarmInput = { kind: 'suppression', suppressed: false };
    expect(run(base(), [raise, on, off]).path).toEqual(['normal', 'unacknowledged', 'suppressed', 'unacknowledged']);
    expect(run(base(), [raise, ack, on, clear, off]).path).toEqual(['normal', 'unacknowledged', 'acknowledged', 'suppressed', 'suppressed', 'normal']);
    expect(run(base(), [on, raise, on]).kinds).toEqual(['suppress:normal>suppressed', 'raise:suppressed>suppressed']);
    const s = run(base(), [{ kind: 'shelve', reason: 'r', untilTs: 9e9 }, on, { kind: 'unshelve' }]);
    expect(s.path).toEqual(['normal', 'shelved', 'shelved', 'suppressed']);
    expect(s.r.suppressed).toBe(true);
    const o = run(base(), [{ kind: 'out-of-service', reason: 'maintenance' }, on, raise, { kind: 'in-service' }, off]);
    expect(o.path).toEqual(['normal', 'out-of-service', 'out-of-service', 'out-of-service', 'suppressed', 'unacknowledged']);
    expect(o.kinds).toEqual(['out-of-service:normal>out-of-service', 'raise:out-of-service>out-of-service', 'in-service:out-of-service>suppressed', 'unsuppress:suppressed>unacknowledged']);
  });

  it('out-of-service outranks a shelve; in-service returns to unacknowledged if active else normal', () => {
    const a = run(base(), [raise, { kind: 'shelve', reason: 'r', untilTs: 9e9 }, { kind: 'out-of-service', reason: 'pump swap' }, { kind: 'in-service' }]);
    expect(a.path).toEqual(['normal', 'unacknowledged', 'shelved', 'out-of-service', 'unacknowledged']);
    expect(a.r.shelved).toBeUndefined();
    expect(a.r.outOfService).toBeUndefined();
    const b = run(base(), [raise, { kind: 'out-of-service', reason: 'r' }, clear, { kind: 'in-service' }]);
    expect(b.path.at(-1)).toBe('normal');
  });

  it('reports raise/clear and annunciation, and stops escalation once acknowledged or hidden', () => {
    const ctx = { ts: 5, by: 'system', latched: false };
    const t1 = applyAlarmInput(base({ escalationStep: 2 }), raise, ctx);
    expect([t1.raised, t1.cleared, t1.annunciated]).toEqual([true, false, true]);
    expect(t1.record.escalationStep).toBeUndefined();
    const withEsc = { ...t1.record, escalationStep: 0, escalationDueTs: 600_000 };
    const cleared = applyAlarmInput(withEsc, clear, ctx);
    expect([cleared.cleared, cleared.annunciated, cleared.record.escalationDueTs]).toEqual([true, false, 600_000]);
    const acked = applyAlarmInput(withEsc, ack, ctx);
    expect(acked.record.escalationDueTs).toBeUndefined();
    expect(acked.record.escalationStep).toBe(0);
    expect(applyAlarmInput(withEsc, { kind: 'shelve', reason: 'r', untilTs: 9 }, ctx).record.escalationDueTs).toBeUndefined();
    const hidden = applyAlarmInput(base({ state: 'shelved' }), raise, ctx);
    expect([hidden.raised, hidden.annunciated]).toEqual([true, false]);
  });

  it('refreshes the live message of an active alarm without a journal entry; repeats change nothing', () => {
    const r = applyAlarmInput(base(), raise, { ts: 1, by: 's', latched: false }).record;
    const t = applyAlarmInput(r, { kind: 'condition', active: true, value: 90, message: 'Spindle at 90' }, { ts: 2, by: 's', latched: false });
    expect([t.changed, t.events.length, t.record.message, t.record.value, t.record.raiseCount]).toEqual([true, 0, 'Spindle at 90', 90, 1]);
    expect(applyAlarmInput(t.record, { kind: 'condition', active: true, value: 90, message: 'Spindle at 90' }, { ts: 3, by: 's', latched: false }).changed).toBe(false);
    expect(applyAlarmInput(base(), clear, { ts: 3, by: 's', latched: false }).changed).toBe(false);
    expect(applyAlarmInput(base(), { kind: 'suppression', suppressed: false }, { ts: 3, by: 's', latched: false }).changed).toBe(false);
  });

  it('keeps the five latest comments, newest first, and journals each', () => {
    let r = base();
    for (let i = 1; i <= 7; i++) {
      const t = applyAlarmInput(r, { kind: 'comment', text: `c${i}` }, { ts: i, by: 'bob', latched: false });
      expect(t.events).toEqual([expect.objectContaining({ kind: 'comment', from: 'normal', to: 'normal', text: `c${i}`, by: 'bob' })]);
      r = t.record;
    }
    expect(r.comments?.map((c) => c.text)).toEqual(['c7', 'c6', 'c5', 'c4', 'c3']);
  });

  it('shelves from every state but out-of-service and takes every state out of service; both return as the condition stands', () => {
    const ctx = { ts: 7, by: 'olga', latched: true };
    const states: Array<[AlarmState, boolean]> = [
      ['normal', false], ['unacknowledged', true], ['acknowledged', true], ['returned-unacknowledged', false], ['latched', false], ['suppressed', true], ['shelved', true],
    ];
    for (const [st, active] of states) {
      const r = base({ state: st, conditionActive: active, ...(st === 'suppressed' ? { suppressed: true } : {}), ...(st === 'shelved' ? { shelved: { by: 'x', reason: 'old', ts: 1, untilTs: 5 } } : {}) });
      const back = st === 'suppressed' ? 'suppressed' : active ? 'unacknowledged' : 'normal';
      const sh = applyAlarmInput(r, { kind: 'shelve', reason: 'new', untilTs: 99 }, ctx);
      expect([st, sh.record.state, sh.events[0]!.from, sh.record.shelved?.untilTs]).toEqual([st, 'shelved', st, 99]);
      expect([st, applyAlarmInput(sh.record, { kind: 'unshelve' }, ctx).record.state]).toEqual([st, back]);
      const oos = applyAlarmInput(r, { kind: 'out-of-service', reason: 'maintenance' }, ctx);
      expect([st, oos.record.state, oos.record.shelved]).toEqual([st, 'out-of-service', undefined]);
      expect([st, applyAlarmInput(oos.record, { kind: 'in-service' }, ctx).record.state]).toEqual([st, back]);
    }
  });
});
