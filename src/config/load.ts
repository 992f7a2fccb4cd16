/**
 * The only reader of settings. Layers, later wins (ARCHITECTURE.md §3): schema defaults <
 * LIGHTSOUT_* environment < config file (JSON) < command-line flags. A file named explicitly is a
 * deliberate act, so it overrides the ambient environment; flags override both. Validated once, then frozen. A bad setting
 * throws LIGHTSOUT_CONFIG_INVALID with one line naming it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { LightsoutError } from '../core/errors.js';
import { ConfigSchema, envName, type Config } from './schema.js';

/** Where settings come from; each part optional so tests can pass just what they need. */
export interface ConfigSources {
  /** Values from CLI flags, already named by schema key (undefined = not given). */
  flags?: Record<string, unknown>;
  /** The environment (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; its keys are the schema keys. */
  file?: string;
}

function coerce(key: string, raw: string): unknown {
  const prop = (ConfigSchema.properties as Record<string, { type?: string; anyOf?: unknown }>)[key];
  const type = prop?.type;
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    return raw.trim() === '' || !Number.isFinite(n) ? raw : n;
  }
  if (type === 'array') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw; // reported by validation, naming the setting
    }
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `config file ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Build the validated, frozen configuration from its sources. */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? process.env;
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const raw = env[envName(key)];
    if (raw !== undefined) merged[key] = coerce(key, raw);
  }
  const file = sources.file ?? (env.LIGHTSOUT_CONFIG || undefined);
  if (file) Object.assign(merged, readFile(file));
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) merged[key] = typeof value === 'string' ? coerce(key, value) : value;
  }
  const known = new Set(Object.keys(ConfigSchema.properties));
  for (const key of Object.keys(merged)) {
    if (!known.has(key)) {
      throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `unknown setting "${key}" (see docs/configuration.md)`);
    }
  }
  const withDefaults = Value.Default(ConfigSchema, merged) as Record<string, unknown>;
  const firstError = Value.Errors(ConfigSchema, withDefaults).First();
  if (firstError) {
    const key = firstError.path.replace(/^\//, '') || '(root)';
    const shown = JSON.stringify(withDefaults[key]);
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `setting ${key} (${envName(key)}) = ${shown} is invalid: ${firstError.message}`, { details: { key } });
  }
  return Object.freeze(withDefaults as Config);
}
