import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpStatus } from '../src/api/error-response.js';
import { ConfigSchema, envName } from '../src/config/schema.js';
import { ERROR_CODES, type ErrorCode } from '../src/core/errors.js';

describe('docs stay in step with the code', () => {
  it('docs/errors.md lists every error code with its HTTP status, and no other', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(doc, code).toContain(`| \`${code}\` | ${httpStatus(code)} |`);
    }
    const documented = [...doc.matchAll(/`(LIGHTSOUT_[A-Z_]+)`/g)].map((m) => m[1]);
    expect(documented.filter((c) => !(c! in ERROR_CODES))).toEqual([]);
  });

  it('docs/configuration.md documents every setting with its env name and default', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const [key, schema] of Object.entries(ConfigSchema.properties) as Array<[string, { default?: unknown }]>) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      expect(row).toContain(`\`${envName(key)}\``);
      if (schema.default !== undefined) expect(row).toContain(`\`${JSON.stringify(schema.default)}\``);
    }
  });
});
