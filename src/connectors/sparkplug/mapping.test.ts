import { describe, expect, it } from 'vitest';
import { pathMapping } from './mapping.js';

describe('pathMapping', () => {
  const map = pathMapping();

  it("splits ids on ':' and keeps metric folders as levels", () => {
    expect(map({ group: 'shanghai:assembly', node: 'line-1', device: 'cnc-01', metric: 'Spindle/Speed' })).toBe('shanghai/assembly/line-1/cnc-01/Spindle/Speed');
  });

  it('drops the device level for node metrics', () => {
    expect(map({ group: 'shanghai:assembly', node: 'line-1', metric: 'Node Control/Rebirth' })).toBe('shanghai/assembly/line-1/Node Control/Rebirth');
    expect(map({ group: 'g', node: 'n', metric: 'bdSeq' })).toBe('g/n/bdSeq');
  });

  it('keeps fixed text of the template and a custom order', () => {
    const custom = pathMapping('plant/{node}/{group}-area/{device}/{metric}');
    expect(custom({ group: 'a', node: 'n', device: 'd', metric: 'm' })).toBe('plant/n/a-area/d/m');
    expect(custom({ group: 'a', node: 'n', metric: 'm' })).toBe('plant/n/a-area/m');
  });

  it('refuses paths core would refuse (LIGHTSOUT_BAD_TAG_PATH)', () => {
    const code = expect.objectContaining({ code: 'LIGHTSOUT_BAD_TAG_PATH' });
    expect(() => map({ group: 'a::b', node: 'n', metric: 'm' })).toThrow(code);
    expect(() => map({ group: 'g', node: 'n', metric: '/leading' })).toThrow(code);
    expect(() => map({ group: 'g', node: 'n', metric: 'a//b' })).toThrow(code);
    expect(() => map({ group: 'g', node: 'n', metric: 'ctl\u0001' })).toThrow(code);
    expect(() => map({ group: 'g', node: 'n', metric: '$SYS' })).toThrow(code);
  });

  it('refuses templates without {metric} or with unknown placeholders', () => {
    const code = expect.objectContaining({ code: 'LIGHTSOUT_CONFIG_INVALID' });
    expect(() => pathMapping('{group}/{node}')).toThrow(code);
    expect(() => pathMapping('{group}/{site}/{metric}')).toThrow(code);
  });
});
