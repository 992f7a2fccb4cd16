/**
 * The only place that maps error codes to HTTP status, and the one error body shape:
 * `{"error": {"code", "message", "details?"}}`. Unknown errors become LIGHTSOUT_INTERNAL without
 * leaking driver messages.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LightsoutError, type ErrorCode } from '../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  LIGHTSOUT_BAD_REQUEST: 400,
  LIGHTSOUT_NOT_FOUND: 404,
  LIGHTSOUT_BAD_TAG_PATH: 400,
  LIGHTSOUT_BAD_VALUE: 400,
  LIGHTSOUT_BAD_TIMESTAMP: 400,
  LIGHTSOUT_BAD_QUALITY: 400,
  LIGHTSOUT_TYPE_MISMATCH: 409,
  LIGHTSOUT_PAYLOAD_TOO_LARGE: 413,
  LIGHTSOUT_BAD_PAYLOAD: 400,
  LIGHTSOUT_OVERLOADED: 503,
  LIGHTSOUT_SHUTTING_DOWN: 503,
  LIGHTSOUT_HOST_NOT_ALLOWED: 421,
  LIGHTSOUT_CONFIG_INVALID: 500,
  LIGHTSOUT_PORT_IN_USE: 500,
  LIGHTSOUT_STORAGE_FAILED: 503,
  LIGHTSOUT_DATA_DIR_IN_USE: 500,
  LIGHTSOUT_SPARKPLUG_PROTOCOL: 400,
  LIGHTSOUT_CONNECTOR_FAILED: 502,
  LIGHTSOUT_LIMIT_EXCEEDED: 429,
  LIGHTSOUT_SLOW_CONSUMER: 503,
  LIGHTSOUT_UNAUTHENTICATED: 401,
  LIGHTSOUT_FORBIDDEN: 403,
  LIGHTSOUT_RATE_LIMITED: 429,
  LIGHTSOUT_CONFLICT: 409,
  LIGHTSOUT_INTERLOCK: 409,
  LIGHTSOUT_EXPIRED: 410,
  LIGHTSOUT_NOT_WRITABLE: 409,
  LIGHTSOUT_DEVICE_TIMEOUT: 504,
  LIGHTSOUT_DEVICE_ERROR: 502,
  LIGHTSOUT_CERT_UNTRUSTED: 502,
  LIGHTSOUT_NOTIFICATION_FAILED: 502,
  LIGHTSOUT_BAD_EXPRESSION: 400,
  LIGHTSOUT_MQTT_DENIED: 403,
  LIGHTSOUT_AUDIT_TAMPERED: 500,
  LIGHTSOUT_INTERNAL: 500,
};

/** HTTP status of an error code. */
export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

/** Translate anything thrown in a route into our error. */
export function toLightsoutError(err: unknown): LightsoutError {
  if (err instanceof LightsoutError) return err;
  const fe = err as FastifyError;
  if (fe && typeof fe === 'object' && typeof fe.statusCode === 'number') {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new LightsoutError('LIGHTSOUT_PAYLOAD_TOO_LARGE', 'request body is larger than the configured limit (maxPayloadBytes)');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'unsupported content type; send application/json');
    if (fe.validation || fe.statusCode === 400) return new LightsoutError('LIGHTSOUT_BAD_REQUEST', fe.message);
    if (fe.statusCode === 429) return new LightsoutError('LIGHTSOUT_RATE_LIMITED', fe.message);
    if (fe.statusCode === 404) return new LightsoutError('LIGHTSOUT_NOT_FOUND', fe.message);
    if (fe.statusCode === 413) return new LightsoutError('LIGHTSOUT_PAYLOAD_TOO_LARGE', fe.message);
  }
  return new LightsoutError('LIGHTSOUT_INTERNAL', 'internal error', { cause: err });
}

/** Fastify error handler: logs server faults, answers with the one error shape. */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toLightsoutError(err);
  const status = httpStatus(e.code);
  if (status >= 500) req.log.error({ err, code: e.code }, e.message);
  const retry = e.details?.retryAfterSeconds;
  if (typeof retry === 'number') void reply.header('retry-after', String(retry));
  void reply.status(status).send({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
}
