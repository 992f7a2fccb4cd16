/**
 * What the API needs from the rest of the platform. The API depends on these services, never on
 * backends; app.ts provides them.
 * @module
 */
import type { AuthAdmin } from '../auth/auth-admin.js';
import type { AuthService } from '../auth/auth-service.js';
import type { DeviceCredentials } from '../auth/device-credentials.js';
import type { CommandService } from '../commands/command-service.js';
import type { ConnectorSupervisor } from '../ingest/connector-supervisor.js';
import type { AuditLog } from '../auth/audit-log.js';
import type { ShowcaseLinks } from '../auth/showcase-links.js';
import type { AuditSink } from '../core/audit-port.js';
import type { HistorianBackend } from '../core/historian-port.js';
import type { IngestSink } from '../core/ingest-port.js';
import type { HealthResponse } from '../protocol/api-types.js';
import type { LastValueCache } from '../ingest/last-value-cache.js';
import type { TagRegistry } from '../ingest/tag-registry.js';
import type { LiveHub } from '../live/live-hub.js';
import type { RuleService } from '../rules/rule-service.js';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { NotificationService } from '../alarms/notification-service.js';

/** The services behind the REST API. */
export interface ApiServices {
  /** Authentication: sessions, tokens, login links. */
  auth: AuthService;
  /** Device credentials (MQTT). */
  devices: DeviceCredentials;
  /** Users, tokens and tenants. */
  authAdmin: AuthAdmin;
  /** The audit trail. */
  audit: AuditSink;
  /** The audit trail's search and verification (the same trail as `audit`). */
  auditLog: AuditLog;
  /** Public showcase links. */
  showcase: ShowcaseLinks;
  /** Base URL people reach the dashboard at (showcase links); default: the address a request came to. */
  publicUrl?: string;
  /** Mark the session cookie Secure (when serving HTTPS). */
  secureCookies?: boolean;
  ingest: IngestSink;
  registry: TagRegistry;
  cache: LastValueCache;
  historian: Pick<HistorianBackend, 'raw' | 'buckets'>;
  /** The live hub behind the WebSocket at /api/v1/live. */
  live: LiveHub;
  /** Health as `tenant` sees it (its own supervised connectors). */
  health(tenant: string): Promise<HealthResponse>;
  /** Body limit for ingest, in bytes. */
  maxPayloadBytes: number;
  /**
   * When the server listens on loopback only: answer only requests addressed to a loopback name
   * (localhost, 127.x.x.x, [::1]), so a web page that rebinds its own domain to 127.0.0.1 cannot
   * read the API through an operator's browser.
   */
  loopbackOnly?: boolean;
  /** Browser origins, besides the server's own, allowed to open the live WebSocket. */
  allowedOrigins?: readonly string[];
  /** Remote commands (docs/commands.md); also validates interlocks saved through PATCH /api/v1/tags. */
  commands?: CommandService;
  /** OPC UA and Modbus TCP connectors (docs/connectors.md). */
  connectors?: ConnectorSupervisor;
  /** Rules and rule templates (docs/alarms.md). */
  rules?: RuleService;
  /** ISA-18.2 alarms: console, operator actions, journal, figures, the live WebSocket. */
  alarms?: AlarmService;
  /** Notification targets, on-call rosters and the delivery log. */
  notifications?: NotificationService;
}
