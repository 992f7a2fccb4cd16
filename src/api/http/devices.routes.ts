/**
 * Device credential routes: the MQTT user names and passwords of edge nodes, gateways and PLCs.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorSchema } from '../../protocol/api-types.js';
import { DeviceCreatedSchema, DeviceCreateRequestSchema, DevicesResponseSchema, type DeviceCreateRequest } from '../../protocol/device-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

/** Register the device routes. */
export function deviceRoutes(app: FastifyInstance, s: ApiServices): void {
  app.get('/api/v1/devices', {
    schema: { summary: 'Devices (MQTT credentials) of the tenant (admin)', tags: ['access'], response: { 200: DevicesResponseSchema, ...errors } },
  }, async (req) => ({ devices: await s.devices.list(principalOf(req)) }));

  app.post<{ Body: DeviceCreateRequest }>('/api/v1/devices', {
    schema: {
      summary: 'Add a device (admin); the password is shown once',
      description: 'The device connects to the embedded broker with its id as user name. It may publish and subscribe only to uns/<tenant>/… and to the Sparkplug groups its tenant owns.',
      tags: ['access'], body: DeviceCreateRequestSchema, response: { 201: DeviceCreatedSchema, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await s.devices.add(principalOf(req), req.body)));

  app.delete<{ Params: { id: string } }>('/api/v1/devices/:id', {
    schema: { summary: 'Remove a device\'s credentials (admin)', tags: ['access'], params: Type.Object({ id: Type.String({ maxLength: 128 }) }), response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await s.devices.remove(principalOf(req), req.params.id);
    return reply.status(204).send();
  });
}
