/**
 * The edge agent's config file (`lightsout edge --config FILE`): where the central broker is, where
 * the store-and-forward buffer lives and how big it may grow, and the connectors to run. Validated
 * with typebox; a bad file gives one line naming the bad key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LightsoutError } from '../core/errors.js';
import { ConnectorInputSchema } from '../protocol/connector-types.js';

const SparkplugId = Type.String({ pattern: '^[^/+#]+$', minLength: 1, description: 'one MQTT topic level' });

/** The schema of an edge config file. */
export const EdgeConfigSchema = Type.Object(
  {
    central: Type.Object(
      {
        mqttUrl: Type.String({ minLength: 1, description: 'central broker, e.g. mqtt://central:1883 or mqtts://...' }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        caFile: Type.Optional(Type.String({ description: 'PEM file of the CA (or certificate) to trust for mqtts://' })),
        groupId: SparkplugId,
        edgeNodeId: SparkplugId,
        hostId: Type.Optional(Type.String({ description: 'wait for spBv1.0/STATE/<hostId> online before birth' })),
      },
      { additionalProperties: false },
    ),
    buffer: Type.Object(
      {
        dir: Type.String({ minLength: 1 }),
        maxMegabytes: Type.Number({ minimum: 1, default: 1024 }),
        whenFull: Type.Union([Type.Literal('drop-oldest'), Type.Literal('drop-newest')], { default: 'drop-oldest' }),
      },
      { additionalProperties: false },
    ),
    connectors: Type.Array(ConnectorInputSchema),
  },
  { additionalProperties: false },
);

/** A validated edge config (defaults applied). */
export type EdgeConfig = Static<typeof EdgeConfigSchema>;

/** Validates a parsed config object; throws LIGHTSOUT_CONFIG_INVALID naming the first bad key. */
export function parseEdgeConfig(raw: unknown): EdgeConfig {
  const withDefaults = Value.Default(EdgeConfigSchema, structuredClone(raw));
  let first = Value.Errors(EdgeConfigSchema, withDefaults).First();
  const conn = first && /^\/connectors\/\d+$/.test(first.path) ? (first.value as { kind?: unknown }) : undefined;
  // A union says only "Expected union value": name the bad key inside the connector of that kind.
  const branch = conn && ConnectorInputSchema.anyOf.find((b) => b.properties.kind.const === conn.kind);
  if (first && branch) {
    const inner = Value.Errors(branch, conn).First();
    if (inner) first = { ...inner, path: first.path + inner.path };
  }
  if (first) {
    const key = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `edge config: ${key} = ${JSON.stringify(first.value)} is invalid: ${first.message}`, { details: { key } });
  }
  const cfg = withDefaults as EdgeConfig;
  const ids = new Set<string>();
  for (const c of cfg.connectors) {
    if (ids.has(c.id)) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `edge config: connector id "${c.id}" is used twice`, { details: { key: 'connectors' } });
    ids.add(c.id);
  }
  return cfg;
}

/** Reads and validates an edge config file. */
export function loadEdgeConfig(file: string): EdgeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `edge config: cannot read ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `edge config: ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseEdgeConfig(raw);
}
