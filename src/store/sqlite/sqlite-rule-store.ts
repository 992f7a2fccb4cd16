/**
 * Rules and rule templates in the SQLite metadata file (tables of migration 7): the definition as
 * JSON, keyed by tenant and id. Template instances are derived, never stored.
 * @module
 */
import type Database from 'better-sqlite3';
import { LightsoutError } from '../../core/errors.js';
import type { RuleDefinition, RuleStore, RuleTemplate } from '../../core/rule-port.js';

/** RuleStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteRuleStore implements RuleStore {
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `rules: cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async listRules(tenant?: string): Promise<RuleDefinition[]> {
    const rows = this.run('list rules', () => (tenant === undefined
      ? this.db.prepare('SELECT definition FROM rules ORDER BY tenant, id').all()
      : this.db.prepare('SELECT definition FROM rules WHERE tenant = ? ORDER BY id').all(tenant)) as Array<{ definition: string }>);
    return rows.map((r) => JSON.parse(r.definition) as RuleDefinition);
  }

  async saveRule(rule: RuleDefinition): Promise<void> {
    this.run('save rule', () => this.db.prepare(
      `INSERT INTO rules (tenant, id, definition, updated_ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET definition = excluded.definition, updated_ts = excluded.updated_ts`,
    ).run(rule.tenant, rule.id, JSON.stringify(rule), rule.updatedTs ?? Date.now()));
  }

  async deleteRule(tenant: string, id: string): Promise<boolean> {
    return this.run('delete rule', () => this.db.prepare('DELETE FROM rules WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0);
  }

  async listTemplates(tenant?: string): Promise<RuleTemplate[]> {
    const rows = this.run('list templates', () => (tenant === undefined
      ? this.db.prepare('SELECT definition FROM rule_templates ORDER BY tenant, id').all()
      : this.db.prepare('SELECT definition FROM rule_templates WHERE tenant = ? ORDER BY id').all(tenant)) as Array<{ definition: string }>);
    return rows.map((r) => JSON.parse(r.definition) as RuleTemplate);
  }

  async saveTemplate(t: RuleTemplate): Promise<void> {
    this.run('save template', () => this.db.prepare(
      `INSERT INTO rule_templates (tenant, id, machine_type, definition, updated_ts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET machine_type = excluded.machine_type, definition = excluded.definition, updated_ts = excluded.updated_ts`,
    ).run(t.tenant, t.id, t.machineType, JSON.stringify(t), t.updatedTs ?? Date.now()));
  }

  async deleteTemplate(tenant: string, id: string): Promise<boolean> {
    return this.run('delete template', () => this.db.prepare('DELETE FROM rule_templates WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0);
  }
}
