/**
 * One base error with a stable code. The registry below is the single list of codes;
 * docs/errors.md mirrors it and a test keeps the two in step. Only api/error-response.ts
 * maps codes to HTTP status.
 * @module
 */

/** Every error code Lightsout raises, with the one-line meaning shown in docs/errors.md. */
export const ERROR_CODES = {
  LIGHTSOUT_BAD_REQUEST: 'The request is malformed or a parameter is invalid.',
  LIGHTSOUT_NOT_FOUND: 'The named tag, asset or resource does not exist.',
  LIGHTSOUT_BAD_TAG_PATH: 'A tag or asset path is empty, has empty levels, wildcards or illegal characters.',
  LIGHTSOUT_BAD_VALUE: 'A value is of the wrong type, not finite, or otherwise unusable.',
  LIGHTSOUT_BAD_TIMESTAMP: 'A timestamp is not an integer epoch-ms time, or is too far in the future.',
  LIGHTSOUT_BAD_QUALITY: 'A quality is not one of good, uncertain, bad.',
  LIGHTSOUT_TYPE_MISMATCH: 'A value does not match the type the tag was created with.',
  LIGHTSOUT_PAYLOAD_TOO_LARGE: 'A message or request body is larger than the configured limit.',
  LIGHTSOUT_BAD_PAYLOAD: 'A message payload cannot be decoded (malformed JSON or protobuf).',
  LIGHTSOUT_OVERLOADED: 'Ingest is at its bounded queue limit; retry later.',
  LIGHTSOUT_SHUTTING_DOWN: 'The platform is stopping and accepts no new work.',
  LIGHTSOUT_HOST_NOT_ALLOWED: 'The request named a host this loopback-only server does not answer to (DNS rebinding protection).',
  LIGHTSOUT_CONFIG_INVALID: 'A configuration setting is invalid.',
  LIGHTSOUT_PORT_IN_USE: 'A port the platform needs is already in use.',
  LIGHTSOUT_STORAGE_FAILED: 'The historian or metadata store failed to read or write.',
  LIGHTSOUT_DATA_DIR_IN_USE: 'Another Lightsout process is running on the same data directory.',
  LIGHTSOUT_SPARKPLUG_PROTOCOL: 'A Sparkplug message breaks the protocol (sequence, alias, birth order).',
  LIGHTSOUT_CONNECTOR_FAILED: 'A connector could not connect or lost its connection.',
  LIGHTSOUT_LIMIT_EXCEEDED: 'A bounded resource (live sessions, tags of a live subscription) is at its configured limit.',
  LIGHTSOUT_SLOW_CONSUMER: 'A live client did not read its messages for too long and was disconnected.',
  LIGHTSOUT_UNAUTHENTICATED: 'The request carries no valid session, token or link; log in or send a token.',
  LIGHTSOUT_FORBIDDEN: 'The caller is authenticated but lacks the role on that asset or tenant.',
  LIGHTSOUT_RATE_LIMITED: 'Too many attempts (logins, tokens, commands, showcase views); wait and retry.',
  LIGHTSOUT_CONFLICT: 'The request conflicts with the current state (duplicate name, wrong command state, idempotency key reused with other content).',
  LIGHTSOUT_INTERLOCK: 'A command was refused because its interlock does not hold on the live values.',
  LIGHTSOUT_EXPIRED: 'A command, token or link outlived its time to live.',
  LIGHTSOUT_NOT_WRITABLE: 'The tag is not writable, or no connector can write it.',
  LIGHTSOUT_BAD_EXPRESSION: 'An expression (interlock, rule) does not parse or does not type-check.',
  LIGHTSOUT_MQTT_DENIED: 'An MQTT client was refused: bad credentials, or a topic outside its tenant.',
  LIGHTSOUT_AUDIT_TAMPERED: 'The audit trail does not verify: a record was edited or deleted.',
  LIGHTSOUT_DEVICE_TIMEOUT: 'A device (OPC UA server, Modbus device) did not answer within its timeout.',
  LIGHTSOUT_DEVICE_ERROR: 'A device answered a request with an error (Modbus exception, OPC UA bad status code).',
  LIGHTSOUT_CERT_UNTRUSTED: "A peer's certificate is not trusted; trust it in the connector's PKI (docs/connectors.md).",
  LIGHTSOUT_NOTIFICATION_FAILED: 'An alarm notification could not be delivered (SMTP server or webhook refused or did not answer); it is retried with backoff.',
  LIGHTSOUT_INTERNAL: 'An unexpected internal error.',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class of Lightsout: a stable code, a human message and the original cause. */
export class LightsoutError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable detail (e.g. the offending field), safe to show to API clients. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LightsoutError';
    this.code = code;
    this.details = options?.details;
  }
}

/** Wrap any thrown value as a LightsoutError, keeping the original as `cause`. */
export function asLightsoutError(err: unknown, code: ErrorCode = 'LIGHTSOUT_INTERNAL', message?: string): LightsoutError {
  if (err instanceof LightsoutError) return err;
  const text = message ?? (err instanceof Error ? err.message : String(err));
  return new LightsoutError(code, text, { cause: err });
}
