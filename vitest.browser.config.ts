import { defineConfig } from 'vitest/config';

/** Browser tests (real Chromium): `npm run test:browser`. Kept out of `npm test`, which must pass without Chromium. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    globalSetup: ['test/browser/build-web.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
