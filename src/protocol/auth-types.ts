/**
 * Request and response shapes of authentication and access management (login, users, tokens,
 * tenants), shared by the server and the web UI. No node:* imports.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

/** viewer < operator < engineer < admin */
export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('engineer'), Type.Literal('admin')]);
export type ApiRole = Static<typeof RoleSchema>;

/** A role on an asset subtree; scope "" is the whole tenant. */
export const GrantSchema = Type.Object({
  role: RoleSchema,
  scope: Type.String({ maxLength: 512, description: 'asset path the role applies to and below, e.g. shanghai-lingang/machining/line-2; "" = the whole tenant' }),
}, { additionalProperties: false });
export type ApiGrant = Static<typeof GrantSchema>;

/** Who the caller is: GET /api/v1/auth/me, and the answer to a login. */
export const MeSchema = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('token'), Type.Literal('showcase'), Type.Literal('device'), Type.Literal('system')]),
  id: Type.String(),
  name: Type.String(),
  tenant: Type.String(),
  grants: Type.Array(GrantSchema),
  platformOperator: Type.Boolean(),
  expiresTs: Type.Optional(Type.Integer()),
});
export type Me = Static<typeof MeSchema>;

export const LoginRequestSchema = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false });
export type LoginRequest = Static<typeof LoginRequestSchema>;

export const LinkLoginRequestSchema = Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type LinkLoginRequest = Static<typeof LinkLoginRequestSchema>;

export const PasswordChangeRequestSchema = Type.Object({
  current: Type.String({ maxLength: 1024 }),
  password: Type.String({ minLength: 12, maxLength: 1024 }),
}, { additionalProperties: false });
export type PasswordChangeRequest = Static<typeof PasswordChangeRequestSchema>;

export const UserSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  username: Type.String(),
  grants: Type.Array(GrantSchema),
  platformOperator: Type.Boolean(),
  disabled: Type.Boolean(),
  createdTs: Type.Integer(),
});
export type ApiUser = Static<typeof UserSchema>;
export const UsersResponseSchema = Type.Object({ users: Type.Array(UserSchema) });

export const UserCreateRequestSchema = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'omit to have one generated and returned once' })),
  grants: Type.Array(GrantSchema, { minItems: 1, maxItems: 64 }),
  platformOperator: Type.Optional(Type.Boolean()),
  tenant: Type.Optional(Type.String({ description: 'platform operators only: create the user in another tenant' })),
}, { additionalProperties: false });
export type UserCreateRequest = Static<typeof UserCreateRequestSchema>;
export const UserCreatedSchema = Type.Object({ user: UserSchema, password: Type.Optional(Type.String({ description: 'the generated password, shown once' })) });
export type UserCreated = Static<typeof UserCreatedSchema>;

export const UserUpdateRequestSchema = Type.Object({
  grants: Type.Optional(Type.Array(GrantSchema, { minItems: 1, maxItems: 64 })),
  disabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'reset the password (ends the user\'s sessions)' })),
}, { additionalProperties: false });
export type UserUpdateRequest = Static<typeof UserUpdateRequestSchema>;

export const TokenSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  name: Type.String(),
  owner: Type.String(),
  grants: Type.Array(GrantSchema),
  createdTs: Type.Integer(),
  expiresTs: Type.Integer(),
  revokedTs: Type.Optional(Type.Integer()),
  lastUsedTs: Type.Optional(Type.Integer()),
});
export type ApiToken = Static<typeof TokenSchema>;
export const TokensResponseSchema = Type.Object({ tokens: Type.Array(TokenSchema) });

export const TokenCreateRequestSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  grants: Type.Optional(Type.Array(GrantSchema, { minItems: 1, maxItems: 64, description: 'default: all of the creator\'s grants; never more than the creator holds' })),
  expiresDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650, default: 90 })),
}, { additionalProperties: false });
export type TokenCreateRequest = Static<typeof TokenCreateRequestSchema>;
export const TokenCreatedSchema = Type.Object({ token: TokenSchema, secret: Type.String({ description: 'lo_<id>_<secret>: shown once; send as "Authorization: Bearer <secret>"' }) });
export type TokenCreated = Static<typeof TokenCreatedSchema>;

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  sparkplugGroups: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  createdTs: Type.Integer(),
});
export type ApiTenant = Static<typeof TenantSchema>;
export const TenantsResponseSchema = Type.Object({ tenants: Type.Array(TenantSchema) });
export const TenantCreateRequestSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 63, description: 'lower-case id, the UNS topic level: uns/<id>/...' }),
  name: Type.Optional(Type.String({ maxLength: 128 })),
  sparkplugGroups: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 256, description: 'Sparkplug group ids this tenant owns, or prefixes ending in * (acme:*)' })),
}, { additionalProperties: false });
export type TenantCreateRequest = Static<typeof TenantCreateRequestSchema>;
export const TenantUpdateRequestSchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 128 })),
  sparkplugGroups: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 256 })),
  disabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type TenantUpdateRequest = Static<typeof TenantUpdateRequestSchema>;
