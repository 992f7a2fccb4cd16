import { describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload, type SpPayload } from './codec.js';
import { SparkplugHost } from './host.js';
import { pathMapping } from './mapping.js';
import { SparkplugDispatcher } from './sparkplug-dispatcher.js';

const T = 1_700_000_000_000;
const ns = 'spBv1.0/plant:area';

function harness() {
  const published: Array<{ topic: string; payload: SpPayload; qos: number; retain: boolean }> = [];
  const host = new SparkplugHost({
    hostId: 'lightsout', mapping: pathMapping(), emit: () => undefined, onReject: () => undefined,
    publish: async (topic, payload, opts) => void published.push({ topic, payload: decodePayload(payload), ...opts }),
    clock: { now: () => T, setTimeout: () => 0, clearTimeout: () => undefined },
  });
  const send = (type: string, p: SpPayload, device?: string) => host.handle(`${ns}/${type}/line-1${device ? `/${device}` : ''}`, encodePayload(p));
  send('NBIRTH', { timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }, { name: 'Mode', alias: 1, datatype: DataType.String, value: 'auto' }] });
  send('DBIRTH', { timestamp: T, seq: 1, metrics: [
    { name: 'spindle_speed_sp', alias: 2, datatype: DataType.Double, value: 8000 },
    { name: 'tool_number', alias: 3, datatype: DataType.Int32, value: 4 },
    { name: 'Commands/stop', datatype: DataType.Boolean, value: false },
  ] }, 'cnc-01');
  return { host, published, send };
}

describe('Sparkplug commands', () => {
  it('finds the metric behind a tag path and sends a typed DCMD or NCMD by name (QoS 0, not retained)', async () => {
    const { host, published } = harness();
    expect(host.commandTarget('plant/area/line-1/cnc-01/spindle_speed_sp')).toEqual({ group: 'plant:area', node: 'line-1', device: 'cnc-01', metric: 'spindle_speed_sp', datatype: DataType.Double });
    expect(host.commandTarget('plant/area/line-1/cnc-01/nothing')).toBeUndefined();
    await host.command('plant/area/line-1/cnc-01/spindle_speed_sp', 9000);
    await host.command('plant/area/line-1/Mode', 'manual');
    expect(published.map((p) => [p.topic, p.qos, p.retain, p.payload.metrics[0]!.name, p.payload.metrics[0]!.datatype, p.payload.metrics[0]!.value])).toEqual([
      [`${ns}/DCMD/line-1/cnc-01`, 0, false, 'spindle_speed_sp', DataType.Double, 9000],
      [`${ns}/NCMD/line-1`, 0, false, 'Mode', DataType.String, 'manual'],
    ]);
    await expect(host.command('plant/area/line-1/cnc-01/tool_number', 2.5)).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(host.command('plant/area/line-1/cnc-01/tool_number', 'x')).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(host.command('plant/area/line-1/cnc-01/nothing', 1)).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE' });
  });

  it('is online while node and device are born; not after DDEATH or NDEATH', () => {
    const { host, send } = harness();
    const tag = 'plant/area/line-1/cnc-01/spindle_speed_sp';
    const d = new SparkplugDispatcher(host, () => 'acme');
    expect([d.owns('acme', tag), d.online('acme', tag), d.owns('other', tag)]).toEqual([true, true, false]);
    send('DDEATH', { timestamp: T, seq: 2, metrics: [] }, 'cnc-01');
    expect(d.online('acme', tag)).toBe(false);
    expect(d.online('acme', 'plant/area/line-1/Mode')).toBe(true);
    send('NDEATH', { timestamp: T, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }] });
    expect(d.online('acme', 'plant/area/line-1/Mode')).toBe(false);
  });

  it('a call sets the device\'s Commands/<method> metric to true', async () => {
    const { host, published } = harness();
    const d = new SparkplugDispatcher(host, () => 'acme');
    await d.send({ tenant: 'acme', commandId: 'c1', action: { kind: 'call', machine: 'plant/area/line-1/cnc-01', method: 'stop' } });
    expect(published[0]!.payload.metrics[0]).toMatchObject({ name: 'Commands/stop', datatype: DataType.Boolean, value: true });
  });
});
