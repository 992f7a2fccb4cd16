import { describe, expect, it } from 'vitest';
import { allLines, allMachines, buildPlant, plantMetadata, pointsPerSecond, siteName } from './plant.js';
import { parseTagPath } from '../core/tag-path.js';

describe('buildPlant', () => {
  it('lays out the default demo: one Shanghai site, three areas, 3 lines × 5 machines', () => {
    const plant = buildPlant();
    expect(plant.tenant).toBe('demo');
    expect(plant.sites.map((s) => [s.name, s.timezone])).toEqual([['shanghai-lingang', 'Asia/Shanghai']]);
    const lines = allLines(plant);
    expect(lines.map((l) => [l.assetPath, l.protocol, l.groupId])).toEqual([
      ['shanghai-lingang/machining/line-1', 'sparkplug', 'shanghai-lingang:machining'],
      ['shanghai-lingang/assembly/line-1', 'sparkplug', 'shanghai-lingang:assembly'],
      ['shanghai-lingang/packaging/line-1', 'uns', 'shanghai-lingang:packaging'],
    ]);
    expect(lines[0]!.machines.map((m) => m.id)).toEqual(['cnc-01', 'cnc-02', 'robot-01', 'cnc-03', 'conveyor-01']);
    expect(lines[2]!.machines.map((m) => `${m.id}:${m.unsForm}`)).toEqual([
      'conveyor-01:batch', 'packer-01:batch', 'packer-02:batch', 'robot-01:batch', 'conveyor-02:single',
    ]);
    const machines = allMachines(plant);
    expect(machines).toHaveLength(15);
    expect(new Set(machines.map((m) => m.assetPath)).size).toBe(15);
    for (const m of machines) for (const t of m.tags) parseTagPath(`${m.assetPath}/${t.name}`);
  });

  it('names extra sites after real Shanghai parks and numbers repeats', () => {
    expect(siteName(1)).toBe('shanghai-jinqiao');
    expect(siteName(10)).toBe('shanghai-lingang-2');
    const plant = buildPlant({ factories: 12, lines: 10, machines: 10, tags: 50, protocol: 'sparkplug' });
    expect(plant.sites[0]!.lines[0]!.machines[0]!.tags).toHaveLength(13 + 50);
    expect(new Set(plant.sites.map((s) => s.name)).size).toBe(12);
    expect(allLines(plant).every((l) => l.protocol === 'sparkplug')).toBe(true);
    // Ten lines over three areas: line-1..4 in machining, line-1..3 in the others.
    expect(plant.sites[0]!.lines.filter((l) => l.area === 'machining').map((l) => l.line)).toEqual(['line-1', 'line-2', 'line-3', 'line-4']);
    const own = allMachines(plant).reduce((n, m) => n + m.type.tags.length, 0);
    expect(pointsPerSecond(plant, 10)).toBe((own + 12 * 10 * 10 * 50) * 10);
  });

  it('gives units and ranges in a metadata map', () => {
    const meta = plantMetadata(buildPlant());
    expect(meta.get('shanghai-lingang/machining/line-1/cnc-01/spindle_speed')).toMatchObject({ unit: 'rpm', kind: 'double', min: 0 });
    expect(meta.get('shanghai-lingang/packaging/line-1/packer-01/seal_temp')?.unit).toBe('°C');
    expect(meta.get('shanghai-lingang/assembly/line-1/press-01/state')).toMatchObject({ kind: 'string' });
  });
});
