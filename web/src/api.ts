/**
 * The REST API as the dashboard uses it, typed by src/protocol. Errors carry the API's stable code
 * so views can say what went wrong.
 * @module
 */
import { Observable } from './observable.js';
import type { ApiAsset, ApiBucket, ApiPoint, ApiTag, HealthResponse, HistoryResponse, LatestResponse } from '../../src/protocol/api-types.js';

/** A failed API call, with the `LIGHTSOUT_*` code when the server sent one. */
export class ApiCallError extends Error {
  constructor(message: string, readonly code: string, readonly status: number, readonly details?: Record<string, unknown>, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/**
 * Bumped whenever the API answers 401 to anything but a login attempt: the session ended (expired,
 * logged out elsewhere, password reset), so the app shows the login screen.
 */
export const unauthenticated = new Observable(0);

async function failure(res: Response, path: string): Promise<ApiCallError> {
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: Record<string, unknown> } } | null;
  const header = Number(res.headers.get('retry-after'));
  const detail = body?.error?.details?.retryAfterSeconds;
  const retry = typeof detail === 'number' ? detail : Number.isFinite(header) && header > 0 ? header : undefined;
  if (res.status === 401 && !path.startsWith('/api/v1/auth/')) unauthenticated.set(unauthenticated.get() + 1);
  return new ApiCallError(body?.error?.message ?? `HTTP ${res.status}`, body?.error?.code ?? 'HTTP', res.status, body?.error?.details, retry);
}

/** GET a JSON body. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw await failure(res, path);
  return (await res.json()) as T;
}

/**
 * Send a request that changes state. Always `Content-Type: application/json` (with a body of `{}`
 * when there is nothing to say): the server refuses cross-site form posts by that, and a 204
 * answer comes back as undefined.
 */
export async function sendJson<T = undefined>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await failure(res, path);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET /api/v1/assets */
export function fetchAssets(signal?: AbortSignal): Promise<{ tenant: string; assets: ApiAsset[] }> {
  return getJson('/api/v1/assets', signal);
}

/**
 * GET /api/v1/tags?prefix=: the tags under a path with their type and, when known, unit,
 * description and engineering range. Views go through tag-catalog.ts, which caches per prefix.
 */
export async function fetchTags(prefix: string, signal?: AbortSignal): Promise<ApiTag[]> {
  const q = prefix ? `?prefix=${encodeURIComponent(prefix)}` : '';
  return (await getJson<{ tags: ApiTag[] }>(`/api/v1/tags${q}`, signal)).tags;
}

/** GET /api/v1/health */
export function fetchHealth(signal?: AbortSignal): Promise<HealthResponse> {
  return getJson('/api/v1/health', signal);
}

/** Latest values; asks in chunks so a big plant never makes an over-long URL. */
export async function fetchLatest(tags: string[], signal?: AbortSignal): Promise<ApiPoint[]> {
  const out: ApiPoint[] = [];
  for (let i = 0; i < tags.length; i += 150) {
    const q = tags.slice(i, i + 150).map((t) => `tag=${encodeURIComponent(t)}`).join('&');
    out.push(...(await getJson<LatestResponse>(`/api/v1/latest?${q}`, signal)).points);
  }
  return out;
}

/** Downsampled history: `buckets` equal buckets of [from, to), only the non-empty ones. */
export async function fetchBuckets(tag: string, from: number, to: number, buckets: number, signal?: AbortSignal): Promise<ApiBucket[]> {
  const q = `tag=${encodeURIComponent(tag)}&from=${Math.floor(from)}&to=${Math.ceil(to)}&buckets=${Math.max(1, Math.round(buckets))}`;
  return (await getJson<HistoryResponse>(`/api/v1/history?${q}`, signal)).buckets ?? [];
}
