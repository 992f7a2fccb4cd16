import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPARKPLUG_B_PROTO } from './sparkplug-proto.js';

describe('sparkplug-proto.ts', () => {
  it('carries exactly the text of sparkplug_b.proto', () => {
    const file = readFileSync(new URL('./sparkplug_b.proto', import.meta.url), 'utf8');
    expect(SPARKPLUG_B_PROTO).toBe(file);
  });
});
