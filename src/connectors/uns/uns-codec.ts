/**
 * UNS JSON codec. Topic `uns/<tenant>/<asset path...>/<tag>` with payload
 *   - a bare JSON scalar: `21.5`, `true`, `"running"`;
 *   - one point: `{"value": v, "ts": ms, "quality": "good|uncertain|bad"}`, optionally with the
 *     tag's metadata `"unit"`, `"description"`, `"min"`, `"max"`;
 * or, on the asset's topic `uns/<tenant>/<asset path...>`, a batch:
 *   - `{"ts": ms, "values": {"tagA": 1.5, "tagB": true}}` (a value may itself be `{value, ts, quality}`).
 * Decoding never throws: problems come back as rejections next to the good points.
 * @module
 */
import type { CandidatePoint, IngestBatch, Rejection } from '../../core/ingest-port.js';

/** The UNS topic root. */
export const UNS_ROOT = 'uns';

const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The metadata fields of a point object, if it carries any. */
function metaOf(o: Record<string, unknown>): CandidatePoint['meta'] {
  if (o.unit === undefined && o.description === undefined && o.min === undefined && o.max === undefined) return undefined;
  return { unit: o.unit, description: o.description, min: o.min, max: o.max };
}

function rejection(code: Rejection['code'], message: string, subject: string): Rejection {
  return { code, message, source: 'uns', subject };
}

/** Decode one UNS message into a batch for ingest, or a rejection when nothing in it is usable. */
export function decodeUns(topic: string, payload: Uint8Array): IngestBatch | Rejection {
  const levels = topic.split('/');
  if (levels[0] !== UNS_ROOT || levels.length < 3) {
    return rejection('LIGHTSOUT_BAD_TAG_PATH', `UNS topic "${topic}" must be uns/<tenant>/<asset path>/<tag>`, topic);
  }
  const tenant = levels[1]!;
  if (!TENANT.test(tenant)) return rejection('LIGHTSOUT_BAD_TAG_PATH', `UNS topic "${topic}" names an invalid tenant "${tenant}"`, topic);
  const path = levels.slice(2).join('/');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    return rejection('LIGHTSOUT_BAD_PAYLOAD', `UNS payload on "${topic}" is not valid JSON: ${(err as Error).message}`, topic);
  }
  const points: CandidatePoint[] = [];
  const rejections: Rejection[] = [];
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const obj = body as Record<string, unknown>;
    if ('values' in obj) {
      const values = obj.values;
      if (values === null || typeof values !== 'object' || Array.isArray(values)) {
        return rejection('LIGHTSOUT_BAD_PAYLOAD', `"values" on "${topic}" must be an object of tag → value`, topic);
      }
      for (const [name, v] of Object.entries(values as Record<string, unknown>)) {
        const tag = `${path}/${name}`;
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          const one = v as Record<string, unknown>;
          const meta = metaOf(one);
          points.push({ tag, value: one.value, ts: one.ts ?? obj.ts, quality: one.quality ?? obj.quality, ...(meta ? { meta } : {}) });
        } else {
          points.push({ tag, value: v, ts: obj.ts, quality: obj.quality });
        }
      }
    } else if ('value' in obj) {
      const meta = metaOf(obj);
      points.push({ tag: path, value: obj.value, ts: obj.ts, quality: obj.quality, ...(meta ? { meta } : {}) });
    } else {
      return rejection('LIGHTSOUT_BAD_PAYLOAD', `UNS payload on "${topic}" is an object without "value" or "values"`, topic);
    }
  } else {
    points.push({ tag: path, value: body });
  }
  return { tenant, source: 'uns', points, rejections };
}

/** Encode one value for a UNS topic (used by the simulator and tests). */
export function encodeUnsPoint(value: number | boolean | string, ts?: number, quality?: string): Buffer {
  return Buffer.from(JSON.stringify(ts === undefined && quality === undefined ? value : { value, ts, quality }));
}
