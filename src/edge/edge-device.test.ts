import { describe, expect, it } from 'vitest';
import { DataType } from '../connectors/sparkplug/codec.js';
import { pathMapping } from '../connectors/sparkplug/mapping.js';
import type { SupervisedConnector } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import { EdgeDevice } from './edge-device.js';
import { dbirthPayload } from './edge-payloads.js';

describe('EdgeDevice', () => {
  it('defines configured tags and methods, learns new tags (rebirth), and births the last acknowledged values as historical', () => {
    let alias = 2;
    const d = new EdgeDevice('press-plc', () => alias++);
    const conn = { tags: () => [{ path: 'robot-03/temperature', type: 'number', writable: false }] } as unknown as SupervisedConnector;
    const def = { id: 'press-plc', tenant: 'edge', kind: 'opcua', enabled: true, settings: { methods: [{ machine: 'robot-03', method: 'stop', objectId: 'o', methodId: 'm' }] } } as unknown as ConnectorDefinition;
    d.attach(conn, def);
    expect(d.learn([['robot-03/temperature', 1, 20.5, 0]])).toBe(false);
    expect(d.learn([['robot-03/mode', 2, 'auto', 0]])).toBe(true);
    d.acknowledged([['robot-03/temperature', 1, 20.5, 0]]);
    const birth = dbirthPayload(d.birthMetrics(), 1, 100);
    expect(birth.metrics).toEqual([
      { name: 'robot-03/temperature', alias: 2, datatype: DataType.Double, timestamp: 1, value: 20.5, isHistorical: true },
      { name: 'robot-03/Commands/stop', alias: 3, datatype: DataType.Boolean, timestamp: 100, isNull: true, value: null, isHistorical: true },
      { name: 'robot-03/mode', alias: 4, datatype: DataType.String, timestamp: 100, isNull: true, value: null, isHistorical: true },
    ]);
  });

  it('lands connector tag paths in the UNS as docs/edge.md says for each template', () => {
    const ids = { group: 'shanghai-lingang:assembly', node: 'line-2', device: 'press-plc', metric: 'robot-03/temperature' };
    expect(pathMapping()(ids)).toBe('shanghai-lingang/assembly/line-2/press-plc/robot-03/temperature');
    expect(pathMapping('{group}/{node}/{metric}')(ids)).toBe('shanghai-lingang/assembly/line-2/robot-03/temperature');
    expect(pathMapping('{metric}')({ ...ids, metric: 'site/area/line/machine/temp' })).toBe('site/area/line/machine/temp');
    // The edge node's own metrics keep group and node levels except with {metric} alone.
    expect(pathMapping('{group}/{node}/{metric}')({ group: 'g', node: 'n', metric: 'Node Control/Rebirth' })).toBe('g/n/Node Control/Rebirth');
  });
});
