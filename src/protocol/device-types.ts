/**
 * Request and response shapes of device credentials (MQTT), shared by the server and the web UI.
 * No node:* imports.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

export const DeviceSchema = Type.Object({
  id: Type.String({ description: 'the device\'s MQTT user name' }),
  tenant: Type.String(),
  description: Type.Optional(Type.String()),
  disabled: Type.Boolean(),
  createdTs: Type.Integer(),
});
export type ApiDevice = Static<typeof DeviceSchema>;
export const DevicesResponseSchema = Type.Object({ devices: Type.Array(DeviceSchema) });

export const DeviceCreateRequestSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128, description: 'MQTT user name: letters, digits, . _ : -' }),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'omit to have one generated and returned once' })),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  tenant: Type.Optional(Type.String({ description: 'platform operators only: add the device to another tenant' })),
}, { additionalProperties: false });
export type DeviceCreateRequest = Static<typeof DeviceCreateRequestSchema>;
export const DeviceCreatedSchema = Type.Object({ device: DeviceSchema, password: Type.Optional(Type.String({ description: 'the generated password, shown once' })) });
export type DeviceCreated = Static<typeof DeviceCreatedSchema>;
