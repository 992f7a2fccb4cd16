/**
 * The HTTP server: REST API under /api/v1, OpenAPI document at /api/openapi.json and its page at
 * /api/docs, the web dashboard at /.
 * @module
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { LightsoutError } from '../core/errors.js';
import { errorHandler } from './error-response.js';
import { installAuthGuard } from './auth-context.js';
import { accessRoutes } from './http/access.routes.js';
import { connectorRoutes } from './http/connectors.routes.js';
import { deviceRoutes } from './http/devices.routes.js';
import { authRoutes } from './http/auth.routes.js';
import { auditRoutes } from './http/audit.routes.js';
import { showcaseRoutes } from './http/showcase.routes.js';
import { catalogRoutes } from './http/catalog.routes.js';
import { commandRoutes } from './http/commands.routes.js';
import { dataRoutes } from './http/data.routes.js';
import { staticRoutes } from './http/static.routes.js';
import type { ApiServices } from './services.js';
import { liveRoutes } from './ws/live.ws.js';
import { alarmsLiveRoutes } from './ws/alarms.ws.js';
import { ruleRoutes } from './http/rules.routes.js';
import { alarmRoutes } from './http/alarms.routes.js';
import { notificationRoutes } from './http/notifications.routes.js';

/** One registered route: the tenant-isolation test walks this table. */
export interface ApiRoute {
  method: string;
  url: string;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, in order. */
    routeTable: ApiRoute[];
  }
}

/** Options of the HTTP server. */
export interface ApiServerOptions {
  services: ApiServices;
  version: string;
  /** Serve HTTPS with this PEM certificate and key. */
  https?: { cert: Buffer; key: Buffer };
  /** A pino logger instance, or false. */
  logger?: object | false;
}

/** Build the Fastify app (not listening yet). */
export async function buildApi(opts: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    loggerInstance: opts.logger ? (opts.logger as never) : undefined,
    bodyLimit: opts.services.maxPayloadBytes,
    // Alarm and rule ids of template instances are `<template>@<asset path>`, longer than the default 100.
    routerOptions: { maxParamLength: 1024 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setErrorHandler(errorHandler);
  const routeTable: ApiRoute[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url, public: r.config?.public === true });
  });
  if (opts.services.loopbackOnly) {
    app.addHook('onRequest', async (req) => {
      if (!isLoopbackHost(req.headers.host)) {
        throw new LightsoutError('LIGHTSOUT_HOST_NOT_ALLOWED', `this server listens on loopback only and answers to localhost, 127.0.0.1 or [::1], not "${req.headers.host ?? ''}"; to serve other names, bind it with --http-host`);
      }
    });
  }
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'LIGHTSOUT_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Lightsout API', version: opts.version, description: 'REST API of Lightsout, the open industrial internet platform for lights-out factories. Errors are `{"error": {"code", "message"}}`; codes are listed in docs/errors.md.' },
      tags: [{ name: 'data' }, { name: 'catalog' }, { name: 'auth' }, { name: 'access' }, { name: 'audit' }, { name: 'showcase' }, { name: 'commands' }, { name: 'connectors' }, { name: 'rules' }, { name: 'alarms' }, { name: 'notifications' }, { name: 'system' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token lo_<id>_<secret>' }, session: { type: 'apiKey', in: 'cookie', name: 'lightsout_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  installAuthGuard(app, opts.services.auth, opts.services.allowedOrigins ?? []);
  app.addHook('onSend', async (req, reply) => {
    // Nobody may frame the dashboard (clickjacking a command's confirm button). Showcase pages are
    // read-only and meant to be embedded on exhibition sites, so they may be framed.
    if (!req.url.startsWith('/showcase/')) {
      void reply.header('x-frame-options', 'DENY');
      void reply.header('content-security-policy', "frame-ancestors 'none'");
    }
    void reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) void reply.header('referrer-policy', 'same-origin');
  });
  authRoutes(app, opts.services);
  accessRoutes(app, opts.services);
  deviceRoutes(app, opts.services);
  connectorRoutes(app, opts.services);
  catalogRoutes(app, opts.services);
  auditRoutes(app, opts.services);
  showcaseRoutes(app, opts.services);
  dataRoutes(app, opts.services);
  commandRoutes(app, opts.services);
  ruleRoutes(app, opts.services);
  alarmRoutes(app, opts.services);
  notificationRoutes(app, opts.services);
  await liveRoutes(app, opts.services);
  alarmsLiveRoutes(app, opts.services); // after liveRoutes: it registers the WebSocket plugin
  await staticRoutes(app);
  return app;
}

/** True when an HTTP Host header names a loopback address (any port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Listen; a taken port throws LIGHTSOUT_PORT_IN_USE naming it. Resolves with the bound port. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LightsoutError('LIGHTSOUT_PORT_IN_USE', `HTTP port ${port} on ${host} is already in use: stop what uses it, or choose another with --http-port (LIGHTSOUT_HTTP_PORT)`, { cause: err });
    }
    throw err;
  }
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}
