/**
 * Logging in for the browser tests: the admin password the test platform is started with, and a
 * login through the browser context's own request context, so the HTTP-only session cookie lands
 * in the context's cookie jar exactly as a login in the page would put it there.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { expect } from 'vitest';

/** Password of the first admin (user "admin") of browser-test platforms. */
export const ADMIN_PASSWORD = 'browser-test-admin-password';

/** Flags for startTestPlatform that fix the admin's password. */
export const BROWSER_PLATFORM_FLAGS = { adminPassword: ADMIN_PASSWORD } as const;

/** Log a context in as `username` (POST /api/v1/auth/login sets the cookie). */
export async function logIn(ctx: BrowserContext, baseUrl: string, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  const res = await ctx.request.post(`${baseUrl}/api/v1/auth/login`, { data: { username, password } });
  expect(res.status(), await res.text()).toBe(200);
}

/** A new browser context, already logged in. */
export async function loggedInContext(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}, username = 'admin', password = ADMIN_PASSWORD): Promise<BrowserContext> {
  const ctx = await browser.newContext(options);
  await logIn(ctx, baseUrl, username, password);
  return ctx;
}
