import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, encodePayload } from '../connectors/sparkplug/codec.js';
import { CoolingFault } from './cooling-fault.js';
import { VirtualFactory } from './factory.js';
import { MachineSim } from './machine-sim.js';
import { MACHINE_TYPES } from './machine-types.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { sparkplugMessages, startTestSubscriber, type TestSubscriber } from './test-subscriber.js';

const T0 = Date.UTC(2025, 5, 2, 0, 0, 0);

function cnc(seed = 'cooling'): { m: MachineSim; temp: () => number; at: (s: number) => void } {
  const m = new MachineSim({ type: MACHINE_TYPES['cnc-mill'], seed, startMs: T0 });
  const i = m.tags.findIndex((t) => t.name === 'spindle_temp');
  let s = 0;
  return {
    m,
    temp: () => m.values[i] as number,
    // Step second by second to `s` seconds after T0.
    at: (to) => {
      for (; s < to; ) m.step(T0 + ++s * 1000);
    },
  };
}

describe('CoolingFault', () => {
  it('heats only while running, cools when stopped or repaired, and never passes the maximum', () => {
    const f = new CoolingFault(2, 10);
    expect(f.apply(40, 1, 1, 90)).toBe(40);
    f.fail();
    expect(f.apply(40, 5, 5, 90)).toBeCloseTo(50, 6);
    // Stopped: the extra heat goes with the time constant.
    expect(f.apply(40, 0, 10, 90)).toBeCloseTo(40 + 10 * Math.exp(-1), 6);
    expect(f.apply(80, 100, 100, 90)).toBe(90);
    expect(f.repair()).toBe(true);
    expect(f.repair()).toBe(false);
    // Repaired: it cools even while running.
    expect(f.apply(40, 10, 10, 90)).toBeLessThan(40 + 50 * Math.exp(-0.9));
  });
});

describe('MachineSim fault injection', () => {
  it('announces fault_coolant on CNC mills and fault_oil_cooler on presses only', () => {
    expect(cnc().m.methods).toEqual(['start', 'stop', 'reset', 'fault_coolant']);
    expect(new MachineSim({ type: MACHINE_TYPES.press, seed: 'p', startMs: T0 }).methods).toEqual(['start', 'stop', 'reset', 'fault_oil_cooler']);
    const robot = new MachineSim({ type: MACHINE_TYPES.robot, seed: 'r', startMs: T0 });
    expect(robot.methods).toEqual(['start', 'stop', 'reset']);
    expect(robot.call('fault_coolant')).toBe(false);
    expect(cnc().m.call('fault_oil_cooler')).toBe(false);
  });

  it('fault_coolant: spindle_temp climbs 1–2 °C/s while running, falls once stopped; reset repairs', () => {
    const { m, temp, at } = cnc();
    at(5);
    expect(m.state).toBe('running');
    const healthy = temp();
    expect(healthy).toBeLessThan(70);
    expect(m.call('fault_coolant')).toBe(true);
    at(15);
    const rise = temp() - healthy;
    expect(rise).toBeGreaterThan(10);
    expect(rise).toBeLessThan(20);
    at(40);
    expect(temp()).toBeGreaterThan(80);
    expect(temp()).toBeLessThanOrEqual(90);
    // The rule's action: stop. It cools down, although the pump is still broken.
    expect(m.call('stop')).toBe(true);
    expect(m.values[0]).toBe('idle');
    const hot = temp();
    at(50);
    expect(temp()).toBeLessThan(hot - 5);
    // reset repairs the pump (the machine was not in fault: it stays held idle), start runs it again.
    expect(m.call('reset')).toBe(true);
    expect(m.call('reset')).toBe(false);
    expect(m.values[0]).toBe('idle');
    expect(m.call('start')).toBe(true);
    const restarted = temp();
    at(70);
    expect(temp()).toBeLessThan(restarted);
  });

  it('does not change the machine of a seed that never sees a fault injected', () => {
    const a = cnc('same');
    const b = cnc('same');
    b.m.call('fault_coolant');
    b.m.call('reset');
    a.at(600);
    b.at(600);
    expect(b.m.values).toEqual(a.m.values);
  });
});

describe('fault_coolant over Sparkplug B', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;
  let factory: VirtualFactory;
  const GROUP = 'shanghai-lingang:machining';

  beforeAll(async () => {
    broker = await startTestBroker();
    sub = await startTestSubscriber(broker.url, ['spBv1.0/#']);
    factory = new VirtualFactory({ mqttUrl: broker.url, lines: 1, machines: 1, rateHz: 5, seed: 'cooling-e2e' });
    await factory.start();
  });

  afterAll(async () => {
    await factory?.stop();
    await sub?.close();
    await broker?.close();
  });

  it('a DCMD Commands/fault_coolant heats cnc-01, echoes the method, and Commands/stop cools it', async () => {
    await sub.waitFor((m) => sparkplugMessages(m).some((x) => x.type === 'DBIRTH' && x.device === 'cnc-01'), 5000, 'the DBIRTH of cnc-01');
    const birth = sparkplugMessages(sub.messages).find((x) => x.type === 'DBIRTH' && x.device === 'cnc-01')!;
    const alias = (name: string): number => birth.payload.metrics.find((x) => x.name === name)!.alias!;
    expect(birth.payload.metrics.find((x) => x.name === 'Commands/fault_coolant')).toMatchObject({ datatype: DataType.Boolean });
    const temps = (from: number): number[] => sparkplugMessages(sub.messages.slice(from))
      .filter((x) => x.device === 'cnc-01' && x.type === 'DDATA')
      .flatMap((x) => x.payload.metrics.filter((y) => y.alias === alias('spindle_temp')).map((y) => y.value as number));
    const dcmd = (method: string) => sub.client.publishAsync(`spBv1.0/${GROUP}/DCMD/line-1/cnc-01`,
      Buffer.from(encodePayload({ timestamp: Date.now(), metrics: [{ name: `Commands/${method}`, datatype: DataType.Boolean, value: true }] })));

    const start = sub.messages.length;
    await dcmd('fault_coolant');
    await sub.waitFor((m) => sparkplugMessages(m.slice(start)).some((x) => x.type === 'DDATA' && x.payload.metrics.some((y) => y.alias === alias('Commands/fault_coolant') && y.value === true)), 3000, 'the echo');
    await sub.waitFor(() => temps(start).length >= 25, 8000, '5 s of spindle_temp');
    const heating = temps(start);
    expect(heating[heating.length - 1]! - heating[0]!).toBeGreaterThan(4);

    const stopAt = sub.messages.length;
    await dcmd('stop');
    await sub.waitFor(() => temps(stopAt).length >= 20, 8000, '4 s after the stop');
    const cooling = temps(stopAt);
    expect(cooling[cooling.length - 1]!).toBeLessThan(cooling[0]! - 0.5);
  });
});
