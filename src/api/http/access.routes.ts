/**
 * Access management routes: users and their grants, API tokens, tenants.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  TenantCreateRequestSchema, TenantSchema, TenantsResponseSchema, TenantUpdateRequestSchema, TokenCreatedSchema, TokenCreateRequestSchema,
  TokensResponseSchema, UserCreatedSchema, UserCreateRequestSchema, UserSchema, UsersResponseSchema, UserUpdateRequestSchema,
  type TenantCreateRequest, type TenantUpdateRequest, type TokenCreateRequest, type UserCreateRequest, type UserUpdateRequest,
} from '../../protocol/auth-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };
const IdParam = Type.Object({ id: Type.String({ maxLength: 128 }) });

/** Register the access routes. */
export function accessRoutes(app: FastifyInstance, s: ApiServices): void {
  app.get<{ Querystring: { tenant?: string } }>('/api/v1/users', {
    schema: { summary: 'Users of the tenant (admin)', tags: ['access'], querystring: Type.Object({ tenant: Type.Optional(Type.String({ description: 'platform operators: another tenant' })) }), response: { 200: UsersResponseSchema, ...errors } },
  }, async (req) => ({ users: await s.authAdmin.listUsers(principalOf(req), req.query.tenant) }));

  app.post<{ Body: UserCreateRequest }>('/api/v1/users', {
    schema: { summary: 'Create a user (admin; nobody grants more than they hold)', tags: ['access'], body: UserCreateRequestSchema, response: { 201: UserCreatedSchema, ...errors } },
  }, async (req, reply) => reply.status(201).send(await s.authAdmin.createUser(principalOf(req), req.body)));

  app.patch<{ Params: { id: string }; Body: UserUpdateRequest }>('/api/v1/users/:id', {
    schema: { summary: 'Change a user\'s grants, disable or enable them, or reset their password', tags: ['access'], params: IdParam, body: UserUpdateRequestSchema, response: { 200: UserSchema, ...errors } },
  }, async (req) => s.authAdmin.updateUser(principalOf(req), req.params.id, req.body));

  app.delete<{ Params: { id: string } }>('/api/v1/users/:id', {
    schema: { summary: 'Delete a user', tags: ['access'], params: IdParam, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await s.authAdmin.deleteUser(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/tokens', {
    schema: { summary: 'API tokens: one\'s own, or all of the tenant for admins', tags: ['access'], response: { 200: TokensResponseSchema, ...errors } },
  }, async (req) => ({ tokens: await s.authAdmin.listTokens(principalOf(req)) }));

  app.post<{ Body: TokenCreateRequest }>('/api/v1/tokens', {
    schema: { summary: 'Create an API token (the secret is shown once)', tags: ['access'], body: TokenCreateRequestSchema, response: { 201: TokenCreatedSchema, ...errors } },
  }, async (req, reply) => reply.status(201).send(await s.authAdmin.createToken(principalOf(req), req.body)));

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', {
    schema: { summary: 'Revoke an API token', tags: ['access'], params: IdParam, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await s.authAdmin.revokeToken(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/tenants', {
    schema: { summary: 'Every tenant (platform operators)', tags: ['access'], response: { 200: TenantsResponseSchema, ...errors } },
  }, async (req) => ({ tenants: await s.authAdmin.listTenants(principalOf(req)) }));

  app.post<{ Body: TenantCreateRequest }>('/api/v1/tenants', {
    schema: { summary: 'Create a tenant (platform operators); then create its first admin with POST /api/v1/users {tenant}', tags: ['access'], body: TenantCreateRequestSchema, response: { 201: TenantSchema, ...errors } },
  }, async (req, reply) => reply.status(201).send(await s.authAdmin.createTenant(principalOf(req), req.body)));

  app.patch<{ Params: { id: string }; Body: TenantUpdateRequest }>('/api/v1/tenants/:id', {
    schema: { summary: 'Rename a tenant, change its Sparkplug groups, disable or enable it (platform operators)', tags: ['access'], params: IdParam, body: TenantUpdateRequestSchema, response: { 200: TenantSchema, ...errors } },
  }, async (req) => s.authAdmin.updateTenant(principalOf(req), req.params.id, req.body));
}
