/**
 * Rule and rule-template routes: list, show, create, replace, remove, validate without saving, and
 * replay a rule over past data. The rules themselves live in src/rules/rule-service.ts; roles are
 * checked there (viewer reads, engineer on the asset changes a rule, engineer on the whole tenant
 * changes templates). Every change is audited. See docs/alarms.md.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LightsoutError } from '../../core/errors.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  RuleInputSchema, RuleSchema, RuleTemplateInputSchema, RuleTemplateSchema, RuleTestRequestSchema, RuleTestResponseSchema,
  RuleValidateResponseSchema, type ApiRuleInput, type ApiRuleTemplateInput, type ApiRuleTestRequest,
} from '../../protocol/alarm-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { audited } from './audited.js';

/** Rule ids of template instances are `<template>@<asset path>`: long, with `@` and `/` (sent URL-encoded). */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 700 }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const RuleListSchema = Type.Object({ rules: Type.Array(RuleSchema) });
const TemplateListSchema = Type.Object({ templates: Type.Array(RuleTemplateSchema) });
const TAGS = ['rules'];

/** A body's id must agree with the path's when both are given. */
function withPathId<T extends { id?: string }>(body: T, id: string): T {
  if (body.id !== undefined && body.id !== id) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `the body names id "${body.id}" but the path names "${id}"`);
  return { ...body, id };
}

/** Register the rule and template routes (when the platform runs rules). */
export function ruleRoutes(app: FastifyInstance, s: ApiServices): void {
  const rules = s.rules;
  if (!rules) return;

  app.get<{ Querystring: { asset?: string } }>('/api/v1/rules', {
    schema: {
      summary: 'Rules and template instances you may see (viewer on their asset)', tags: TAGS,
      querystring: Type.Object({ asset: Type.Optional(Type.String({ maxLength: 512, description: 'only rules of this asset and below' })) }),
      response: { 200: RuleListSchema, ...errors },
    },
  }, async (req) => ({ rules: rules.list(principalOf(req), req.query.asset ? { asset: req.query.asset } : {}) }));

  app.post<{ Body: ApiRuleInput }>('/api/v1/rules', {
    schema: {
      summary: 'Create a rule (engineer on its asset)',
      description: 'Checked before it is saved: expression errors answer 400 LIGHTSOUT_BAD_EXPRESSION with `details: { field, position }`, a tag that does not exist under the asset 404 LIGHTSOUT_NOT_FOUND naming it, an existing id 409. The id is made from the name when absent.',
      tags: TAGS, body: RuleInputSchema, response: { 201: RuleSchema, ...errors },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const rule = await audited(s.audit, p, 'rule.create', req.body.asset, { id: req.body.id, name: req.body.name }, () => rules.create(p, req.body));
    return reply.status(201).send(rule);
  });

  app.post<{ Body: ApiRuleInput }>('/api/v1/rules/validate', {
    schema: {
      summary: 'Check a rule without saving it',
      description: '200 `{ ok: true, variables }` (the CEL variables its expressions may use), or the error saving would give (400 LIGHTSOUT_BAD_EXPRESSION with `details: { field, position }`, 404 for an unknown tag).',
      tags: TAGS, body: RuleInputSchema, response: { 200: RuleValidateResponseSchema, ...errors },
    },
  }, async (req) => rules.validate(principalOf(req), req.body));

  app.post<{ Body: ApiRuleTestRequest }>('/api/v1/rules/test', {
    schema: {
      summary: 'Replay stored history through a rule: how often would it have fired?',
      description: 'The same evaluator as live (on/off delays included) over [from, to); nothing is saved or raised.',
      tags: TAGS, body: RuleTestRequestSchema, response: { 200: RuleTestResponseSchema, ...errors },
    },
  }, async (req) => {
    if (req.body.to <= req.body.from) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', '"to" must be after "from"');
    return rules.test(principalOf(req), req.body);
  });

  app.get<{ Params: { id: string } }>('/api/v1/rules/:id', {
    schema: { summary: 'One rule or template instance', tags: TAGS, params: IdParams, response: { 200: RuleSchema, ...errors } },
  }, async (req) => rules.get(principalOf(req), req.params.id));

  app.put<{ Params: { id: string }; Body: ApiRuleInput }>('/api/v1/rules/:id', {
    schema: {
      summary: 'Replace a rule (engineer on its asset); template instances change through their template',
      tags: TAGS, params: IdParams, body: RuleInputSchema, response: { 200: RuleSchema, ...errors },
    },
  }, async (req) => {
    const p = principalOf(req);
    const id = req.params.id;
    return audited(s.audit, p, 'rule.update', id, { asset: req.body.asset, name: req.body.name }, () => rules.update(p, id, withPathId(req.body, id)));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/rules/:id', {
    schema: { summary: 'Remove a rule; its alarm is journaled rule-removed and dropped (engineer on its asset)', tags: TAGS, params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await audited(s.audit, p, 'rule.delete', req.params.id, undefined, () => rules.remove(p, req.params.id));
    return reply.status(204).send();
  });

  app.get('/api/v1/rule-templates', {
    schema: { summary: 'Rule templates of the tenant, with the assets each applies to now', tags: TAGS, response: { 200: TemplateListSchema, ...errors } },
  }, async (req) => ({ templates: rules.listTemplates(principalOf(req)) }));

  app.post<{ Body: ApiRuleTemplateInput }>('/api/v1/rule-templates', {
    schema: {
      summary: 'Create a rule template: one rule instance on every asset of its machine type, present and future (engineer on the tenant)',
      tags: TAGS, body: RuleTemplateInputSchema, response: { 201: RuleTemplateSchema, ...errors },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const t = await audited(s.audit, p, 'rule-template.create', req.body.id ?? req.body.name, { machineType: req.body.machineType, name: req.body.name }, () => rules.createTemplate(p, req.body));
    return reply.status(201).send(t);
  });

  app.put<{ Params: { id: string }; Body: ApiRuleTemplateInput }>('/api/v1/rule-templates/:id', {
    schema: { summary: 'Replace a rule template; its instances follow (engineer on the tenant)', tags: TAGS, params: IdParams, body: RuleTemplateInputSchema, response: { 200: RuleTemplateSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    const id = req.params.id;
    return audited(s.audit, p, 'rule-template.update', id, { machineType: req.body.machineType, name: req.body.name }, () => rules.updateTemplate(p, id, withPathId(req.body, id)));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/rule-templates/:id', {
    schema: { summary: 'Remove a rule template and its instances (engineer on the tenant)', tags: TAGS, params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await audited(s.audit, p, 'rule-template.delete', req.params.id, undefined, () => rules.removeTemplate(p, req.params.id));
    return reply.status(204).send();
  });
}
