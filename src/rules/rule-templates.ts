/**
 * Rule templates: one rule per machine of a type, present and future. Instances are derived, not
 * stored: `<template id>@<asset path>`, with the template's body on the asset. They are made when
 * the rules start, when a template is saved, and when an asset gets (or changes) its machine type.
 * @module
 */
import type { AssetRecord } from '../core/metadata-port.js';
import { templateInstanceId, type RuleDefinition, type RuleTemplate } from '../core/rule-port.js';

/** The instance of a template on one asset. */
export function instanceOf(t: RuleTemplate, asset: string): RuleDefinition {
  const r: RuleDefinition = {
    id: templateInstanceId(t.id, asset), tenant: t.tenant, asset, templateId: t.id,
    name: t.name, condition: t.condition, alarm: t.alarm, enabled: t.enabled,
  };
  if (t.onDelayS !== undefined) r.onDelayS = t.onDelayS;
  if (t.offDelayS !== undefined) r.offDelayS = t.offDelayS;
  if (t.actions !== undefined) r.actions = t.actions;
  if (t.description !== undefined) r.description = t.description;
  if (t.updatedTs !== undefined) r.updatedTs = t.updatedTs;
  if (t.updatedBy !== undefined) r.updatedBy = t.updatedBy;
  return r;
}

/** Instances of a template on the assets of its machine type. */
export function instancesOf(t: RuleTemplate, assets: readonly AssetRecord[]): RuleDefinition[] {
  const out: RuleDefinition[] = [];
  for (const a of assets) if (a.tenant === t.tenant && a.machineType === t.machineType) out.push(instanceOf(t, a.path));
  return out;
}

/**
 * What changes when assets' metadata changed: for each asset, the instance ids it should carry
 * now (`want`) given the tenant's templates.
 */
export function wantedInstances(templates: Iterable<RuleTemplate>, asset: AssetRecord): Map<string, RuleDefinition> {
  const want = new Map<string, RuleDefinition>();
  if (asset.machineType === undefined) return want;
  for (const t of templates) {
    if (t.machineType !== asset.machineType) continue;
    const r = instanceOf(t, asset.path);
    want.set(r.id, r);
  }
  return want;
}
