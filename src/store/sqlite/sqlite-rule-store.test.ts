import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleDefinition, RuleTemplate } from '../../core/rule-port.js';
import { SqliteRuleStore } from './sqlite-rule-store.js';
import { SqliteStore } from './sqlite-store.js';

let dir: string;
let file: string;
let sqlite: SqliteStore;

const rule = (id: string, tenant = 'acme', extra: Partial<RuleDefinition> = {}): RuleDefinition => ({
  id, tenant, name: `Rule ${id}`, asset: 'site/area/line-1/cnc-01',
  condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 2 },
  alarm: { priority: 'high', message: 'Spindle at {spindle_temp}' }, enabled: true, updatedTs: 1000, ...extra,
});
const template = (id: string, tenant = 'acme'): RuleTemplate => ({
  id, tenant, name: `Template ${id}`, machineType: 'cnc-mill',
  condition: { kind: 'stale', tag: 'state', afterS: 30 }, alarm: { priority: 'medium', message: 'No data' }, enabled: true,
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lightsout-rules-'));
  file = join(dir, 'metadata.sqlite');
  sqlite = new SqliteStore(file);
  await sqlite.open();
});
afterEach(async () => {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteRuleStore', () => {
  it('saves, replaces, lists per tenant and deletes rules, and keeps them across a reopen', async () => {
    const store = new SqliteRuleStore(sqlite.connection());
    await store.saveRule(rule('b'));
    await store.saveRule(rule('a', 'acme', { actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }] }));
    await store.saveRule(rule('a', 'other'));
    await store.saveRule(rule('b', 'acme', { name: 'Renamed', enabled: false }));
    expect((await store.listRules('acme')).map((r) => [r.id, r.name, r.enabled])).toEqual([['a', 'Rule a', true], ['b', 'Renamed', false]]);
    expect((await store.listRules()).map((r) => `${r.tenant}/${r.id}`)).toEqual(['acme/a', 'acme/b', 'other/a']);
    expect(await store.deleteRule('acme', 'b')).toBe(true);
    expect(await store.deleteRule('acme', 'b')).toBe(false);
    await sqlite.close();
    sqlite = new SqliteStore(file);
    await sqlite.open();
    const again = new SqliteRuleStore(sqlite.connection());
    expect(await again.listRules('acme')).toEqual([rule('a', 'acme', { actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }] })]);
    expect(await again.listRules('other')).toHaveLength(1);
  });

  it('saves, lists and deletes templates per tenant', async () => {
    const store = new SqliteRuleStore(sqlite.connection());
    await store.saveTemplate(template('stale'));
    await store.saveTemplate({ ...template('stale'), machineType: 'press' });
    await store.saveTemplate(template('hot', 'other'));
    expect(await store.listTemplates('acme')).toEqual([{ ...template('stale'), machineType: 'press' }]);
    expect((await store.listTemplates()).map((t) => t.id)).toEqual(['stale', 'hot']);
    expect(await store.deleteTemplate('other', 'stale')).toBe(false);
    expect(await store.deleteTemplate('other', 'hot')).toBe(true);
    expect(await store.listTemplates('other')).toEqual([]);
  });

  it('wraps driver errors as LIGHTSOUT_STORAGE_FAILED', async () => {
    const store = new SqliteRuleStore(sqlite.connection());
    await sqlite.close();
    await expect(store.listRules()).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
  });
});
