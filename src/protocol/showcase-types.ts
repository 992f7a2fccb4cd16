/**
 * Request and response shapes of public showcase links, shared by the server and the web UI.
 * No node:* imports.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

/** POST /api/v1/showcase */
export const ShowcaseCreateRequestSchema = Type.Object({
  scope: Type.String({ minLength: 1, maxLength: 512, description: 'asset path of the line to show, e.g. shanghai-lingang/machining/line-1' }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  expiresHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2160, default: 168, description: 'lifetime in hours: default 7 days, at most 90 days' })),
}, { additionalProperties: false });
export type ShowcaseCreateRequest = Static<typeof ShowcaseCreateRequestSchema>;

/** A link as its managers see it (never the secret). */
export const ShowcaseLinkSchema = Type.Object({
  id: Type.String(),
  scope: Type.String(),
  title: Type.String(),
  createdBy: Type.String(),
  createdTs: Type.Integer(),
  expiresTs: Type.Integer(),
  revokedTs: Type.Optional(Type.Integer()),
});
export type ShowcaseLink = Static<typeof ShowcaseLinkSchema>;

/** The answer to POST /api/v1/showcase: the URL is shown once. */
export const ShowcaseCreatedSchema = Type.Object({
  id: Type.String(),
  url: Type.String({ description: '<publicUrl>/showcase/<id>.<secret>; only shown now' }),
  expiresTs: Type.Integer(),
});
export type ShowcaseCreated = Static<typeof ShowcaseCreatedSchema>;

export const ShowcaseListResponseSchema = Type.Object({ links: Type.Array(ShowcaseLinkSchema) });
export type ShowcaseListResponse = Static<typeof ShowcaseListResponseSchema>;

/** One tag of the line shown, with what is needed to display it. */
export const ShowcaseTagSchema = Type.Object({
  path: Type.String(),
  type: Type.Union([Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string')]),
  unit: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
});

/** The latest value of a tag. */
export const ShowcaseValueSchema = Type.Object({
  tag: Type.String(),
  ts: Type.Integer(),
  value: Type.Union([Type.Number(), Type.Boolean(), Type.String()]),
  quality: Type.Union([Type.Literal('good'), Type.Literal('uncertain'), Type.Literal('bad')]),
});

/** GET /api/v1/showcase/:token/view — everything the public page shows. */
export const ShowcaseViewSchema = Type.Object({
  title: Type.String(),
  scope: Type.String(),
  expiresTs: Type.Integer(),
  tags: Type.Array(ShowcaseTagSchema),
  values: Type.Array(ShowcaseValueSchema),
});
export type ShowcaseView = Static<typeof ShowcaseViewSchema>;
