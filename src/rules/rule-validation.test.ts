import { beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../core/sim-clock.js';
import type { ApiRuleInput } from '../protocol/alarm-types.js';
import { RuleService } from './rule-service.js';
import { FakeTags, MemoryRuleStore, RecordingSink, principal } from './rule-test-kit.js';

const T = 't1';
const M = 'site/area/line-1/cnc-01';
const eng = principal('engineer');
let svc: RuleService;

const input = (over: Partial<ApiRuleInput> = {}): ApiRuleInput => ({
  id: 'r', asset: M, name: 'R', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 },
  alarm: { priority: 'high', message: 'hot' }, enabled: true, ...over,
});
const expr = (expression: string, over: Partial<ApiRuleInput> = {}): ApiRuleInput => input({ condition: { kind: 'expression', expression }, ...over });
/** The error `validate` throws. */
function error(i: ApiRuleInput): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    svc.validate(eng, i);
  } catch (err) {
    return err as { code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('validate accepted it');
}

beforeEach(async () => {
  const tags = new FakeTags()
    .add(T, `${M}/spindle_temp`).add(T, `${M}/axis/x/pos`).add(T, `${M}/state`, 'string')
    .add(T, `${M}/stop_cmd`, 'boolean', { writable: true }).add(T, `${M}/Commands/stop`, 'boolean').add(T, `${M}/serial`, 'string')
    .add(T, 'site/area/line-1/cnc-02/other');
  svc = new RuleService({ store: new MemoryRuleStore(), tags, latest: tags.latest, alarms: new RecordingSink(), clock: new SimClock(0) });
  await svc.start();
});

describe('rule validation', () => {
  it('accepts a good rule and lists the CEL variables of the asset', () => {
    expect(svc.validate(eng, expr('spindle_temp > 80.0 && axis_x_pos < 10.0 && tags["axis/x/pos"] > 0.0 && [1, 2].exists(i, i > 1)')))
      .toEqual({ ok: true, variables: ['Commands_stop', 'axis_x_pos', 'serial', 'spindle_temp', 'state', 'stop_cmd', 'tags'] });
  });

  it('names the position of a syntax error', () => {
    const e = error(expr('spindle_temp > && true'));
    expect(e.code).toBe('LIGHTSOUT_BAD_EXPRESSION');
    expect(e.details).toMatchObject({ field: 'condition.expression', position: 15 });
    expect(e.message).toMatch(/at position 15/);
  });

  it('names the position of an unknown variable and lists the known ones', () => {
    const e = error(expr('spindle_temp > 80.0 && spindel_speed > 1.0'));
    expect(e).toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: { field: 'condition.expression', position: 23 } });
    expect(e.message).toMatch(/spindel_speed/);
    expect(e.message).toMatch(/Commands_stop, axis_x_pos, serial, spindle_temp/);
  });

  it('refuses an expression that is not a boolean, and checks suppressWhen the same way', () => {
    expect(error(expr('spindle_temp + 1.0'))).toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: { field: 'condition.expression' } });
    expect(error(input({ alarm: { priority: 'low', message: 'x', suppressWhen: 'state == "stop" && modee == 1' } })))
      .toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: { field: 'alarm.suppressWhen', position: 19 } });
  });

  it('names a tag that does not exist under the asset', () => {
    expect(error(input({ condition: { kind: 'threshold', tag: 'oil_temp', op: '>', limit: 1 } })))
      .toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'condition.tag', path: 'oil_temp' } });
    expect(error(input({ condition: { kind: 'deviation', tag: 'spindle_temp', setpointTag: 'other', limit: 1 } })))
      .toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'condition.setpointTag', path: 'other' } });
    expect(error(expr('tags["axis/y/pos"] > 1.0'))).toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'condition.expression', path: 'axis/y/pos' } });
    expect(error(input({ alarm: { priority: 'low', message: 'at {spindle_tmp}' } }))).toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'alarm.message', path: 'spindle_tmp' } });
    expect(error(input({ asset: 'site/area/line-1/cnc-99' }))).toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', message: expect.stringMatching(/spindle_temp.*cnc-99/) });
  });

  it('needs numbers for numeric conditions, sane figures, and writable action tags', () => {
    expect(error(input({ condition: { kind: 'threshold', tag: 'state', op: '>', limit: 1 } }))).toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST', details: { field: 'condition.tag' } });
    expect(error(input({ onDelayS: -1 }))).toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST', details: { field: 'onDelayS' } });
    expect(error(input({ condition: { kind: 'stale', tag: 'state', afterS: 0 } }))).toMatchObject({ details: { field: 'condition.afterS' } });
    expect(error(input({ actions: [{ on: 'raise', command: { kind: 'write', tag: 'serial', value: 'x' } }] })))
      .toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE', details: { field: 'actions[0].command.tag' } });
    expect(error(input({ actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }, { on: 'clear', command: { kind: 'write', tag: 'nope', value: 1 } }] })))
      .toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'actions[1].command.tag' } });
    expect(svc.validate(eng, input({ actions: [{ on: 'raise', command: { kind: 'write', tag: 'stop_cmd', value: true } }] })).ok).toBe(true);
    expect(error(input({ actions: [{ on: 'raise', command: { kind: 'call', method: 'halt' } }] })))
      .toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', details: { field: 'actions[0].command.method', path: 'Commands/halt' } });
  });

  it('saving gives the same errors; validate needs a viewer on the asset', async () => {
    await expect(svc.create(eng, expr('spindle_temp >'))).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: { position: 14 } });
    expect(() => svc.validate(principal('viewer', 'site/area/line-9'), input())).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_FORBIDDEN' }));
  });
});
