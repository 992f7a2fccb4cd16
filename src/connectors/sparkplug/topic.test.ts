import { describe, expect, it } from 'vitest';
import { buildTopic, parseTopic, stateTopic } from './topic.js';

describe('parseTopic', () => {
  it('parses node, device and STATE topics', () => {
    expect(parseTopic('spBv1.0/shanghai:assembly/NBIRTH/line-1')).toEqual({ kind: 'node', type: 'NBIRTH', group: 'shanghai:assembly', node: 'line-1' });
    expect(parseTopic('spBv1.0/g/DDATA/n/cnc 01')).toEqual({ kind: 'device', type: 'DDATA', group: 'g', node: 'n', device: 'cnc 01' });
    expect(parseTopic('spBv1.0/STATE/lightsout')).toEqual({ kind: 'state', type: 'STATE', hostId: 'lightsout' });
    for (const type of ['NDEATH', 'NDATA', 'NCMD']) expect(parseTopic(`spBv1.0/g/${type}/n`)).toMatchObject({ kind: 'node', type });
    for (const type of ['DBIRTH', 'DDEATH', 'DCMD']) expect(parseTopic(`spBv1.0/g/${type}/n/d`)).toMatchObject({ kind: 'device', type });
  });

  it('rejects malformed topics with a clear LIGHTSOUT_SPARKPLUG_PROTOCOL error', () => {
    const cases: [string, RegExp][] = [
      ['spAv1.0/g/NDATA/n', /first level must be spBv1.0/],
      ['spBv1.0/g/NDATA', /expected spBv1.0/],
      ['spBv1.0/g/NDATA/n/d', /NDATA takes no device id/],
      ['spBv1.0/g/DDATA/n', /DDATA needs exactly/],
      ['spBv1.0/g/DDATA/n/d/extra', /DDATA needs exactly/],
      ['spBv1.0/g/XDATA/n', /unknown message type "XDATA"/],
      ['spBv1.0//NDATA/n', /group id is empty/],
      ['spBv1.0/g/NDATA/', /edge node id is empty/],
      ['spBv1.0/g/DDATA/n/#', /device id contains an MQTT wildcard/],
      ['spBv1.0/STATE/', /host id is empty/],
    ];
    for (const [topic, message] of cases) {
      expect(() => parseTopic(topic), topic).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_SPARKPLUG_PROTOCOL', message: expect.stringMatching(message) }));
    }
  });
});

describe('buildTopic / stateTopic', () => {
  it('builds what parseTopic reads', () => {
    expect(buildTopic('NCMD', 'g', 'n')).toBe('spBv1.0/g/NCMD/n');
    expect(buildTopic('DCMD', 'g', 'n', 'd')).toBe('spBv1.0/g/DCMD/n/d');
    expect(parseTopic(buildTopic('DBIRTH', 'a:b', 'n', 'd'))).toEqual({ kind: 'device', type: 'DBIRTH', group: 'a:b', node: 'n', device: 'd' });
    expect(stateTopic('host-1')).toBe('spBv1.0/STATE/host-1');
  });

  it('refuses ids that cannot be one topic level, and device ids on node types', () => {
    const code = expect.objectContaining({ code: 'LIGHTSOUT_SPARKPLUG_PROTOCOL' });
    expect(() => buildTopic('NDATA', 'a/b', 'n')).toThrow(code);
    expect(() => buildTopic('NDATA', 'g', '+')).toThrow(code);
    expect(() => buildTopic('NDATA', 'g', 'n', 'd')).toThrow(code);
    expect(() => buildTopic('DDATA', 'g', 'n')).toThrow(code);
    expect(() => stateTopic('')).toThrow(code);
  });
});
