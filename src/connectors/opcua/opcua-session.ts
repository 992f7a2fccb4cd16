/**
 * Opening one OPC UA session: discover the server's endpoints, pick the one matching the
 * configured security mode and policy (or say what the server offers), connect with the
 * connector's certificate, and log in.
 * @module
 */
import { readFile } from 'node:fs/promises';
import {
  MessageSecurityMode, OPCUAClient, SecurityPolicy, UserTokenType,
  type ClientSession, type EndpointDescription, type OPCUACertificateManager, type UserIdentityInfo,
} from 'node-opcua';
import { LightsoutError } from '../../core/errors.js';
import type { OpcUaLogin, OpcUaSettings } from '../../core/connector-settings.js';
import { isUntrustedError, untrustedMessage } from './pki.js';

/** A connected client and its session. */
export interface OpenSession {
  client: OPCUAClient;
  session: ClientSession;
  endpoint: EndpointDescription;
}

function policyName(uri: string): string {
  return uri.slice(uri.lastIndexOf('#') + 1);
}

function describe(e: EndpointDescription): string {
  return `${MessageSecurityMode[e.securityMode]}/${policyName(e.securityPolicyUri ?? '')}`;
}

const TOKEN_OF: Record<OpcUaLogin['kind'], UserTokenType> = {
  anonymous: UserTokenType.Anonymous,
  username: UserTokenType.UserName,
  certificate: UserTokenType.Certificate,
};

/** The endpoint the settings ask for; CONNECTOR_FAILED naming what is on offer when none matches. */
export function pickEndpoint(endpoints: readonly EndpointDescription[], s: OpcUaSettings): EndpointDescription {
  const policy = s.securityMode === 'None' ? 'None' : s.securityPolicy ?? 'Basic256Sha256';
  const match = endpoints.find((e) => MessageSecurityMode[e.securityMode] === s.securityMode && policyName(e.securityPolicyUri ?? '') === policy);
  const offered = [...new Set(endpoints.map(describe))].join(', ') || 'nothing';
  if (!match) throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `the server offers no endpoint with security ${s.securityMode}/${policy}; it offers: ${offered}`);
  const token = TOKEN_OF[s.login.kind];
  if (match.userIdentityTokens && !match.userIdentityTokens.some((t) => t.tokenType === token)) {
    const kinds = match.userIdentityTokens.map((t) => UserTokenType[t.tokenType]).join(', ');
    throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `endpoint ${describe(match)} does not accept ${s.login.kind} login; it accepts: ${kinds}`);
  }
  return match;
}

function pemToDer(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!body) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', 'login.certificateFile holds no PEM certificate');
  return Buffer.from(body[1]!.replace(/\s+/g, ''), 'base64');
}

async function identity(login: OpcUaLogin): Promise<UserIdentityInfo> {
  if (login.kind === 'anonymous') return { type: UserTokenType.Anonymous };
  if (login.kind === 'username') return { type: UserTokenType.UserName, userName: login.username, password: login.password };
  const [cert, key] = await Promise.all([readFile(login.certificateFile, 'utf8'), readFile(login.privateKeyFile, 'utf8')]);
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', 'login.privateKeyFile holds no unencrypted PEM private key');
  return { type: UserTokenType.Certificate, certificateData: pemToDer(cert), privateKey: key };
}

/** Reject after `ms` with DEVICE_TIMEOUT, so a silent server cannot hang the connect loop. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LightsoutError('LIGHTSOUT_DEVICE_TIMEOUT', `${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function clientFor(s: OpcUaSettings, cm: OPCUACertificateManager, mode: MessageSecurityMode, policy: SecurityPolicy): OPCUAClient {
  return OPCUAClient.create({
    applicationName: 'Lightsout',
    clientName: 'lightsout',
    clientCertificateManager: cm,
    securityMode: mode,
    securityPolicy: policy,
    endpointMustExist: false,
    // Our own loop reconnects (tear down, recreate, resubscribe, backfill): node-opcua's retry is off.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    defaultTransactionTimeout: s.timeoutMs ?? 5000,
  });
}

/** Discover, connect and log in. Errors are LightsoutErrors with a message an engineer can act on. */
export async function openSession(s: OpcUaSettings, cm: OPCUACertificateManager, dataDir: string): Promise<OpenSession> {
  const timeout = s.timeoutMs ?? 5000;
  const discovery = clientFor(s, cm, MessageSecurityMode.None, SecurityPolicy.None);
  let endpoints: EndpointDescription[];
  try {
    await withTimeout(discovery.connect(s.endpointUrl), timeout, `connect ${s.endpointUrl}`);
    endpoints = await withTimeout(discovery.getEndpoints(), timeout, 'GetEndpoints');
  } catch (err) {
    throw wrapConnectError(err, s.endpointUrl, dataDir);
  } finally {
    await discovery.disconnect().catch(() => undefined);
  }
  const endpoint = pickEndpoint(endpoints, s);
  const client = clientFor(s, cm, endpoint.securityMode, endpoint.securityPolicyUri as SecurityPolicy);
  try {
    await withTimeout(client.connect(s.endpointUrl), timeout, `connect ${s.endpointUrl}`);
  } catch (err) {
    await client.disconnect().catch(() => undefined);
    throw wrapConnectError(err, s.endpointUrl, dataDir);
  }
  try {
    const who = await identity(s.login).catch((err: unknown) => {
      throw err instanceof LightsoutError ? err : new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `cannot read the login certificate or key: ${(err as Error).message}`, { cause: err });
    });
    const session = await withTimeout(client.createSession(who), timeout, 'CreateSession');
    return { client, session, endpoint };
  } catch (err) {
    await client.disconnect().catch(() => undefined);
    if (err instanceof LightsoutError) throw err;
    throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `login (${s.login.kind}) refused by the server: ${(err as Error).message}`, { cause: err });
  }
}

function wrapConnectError(err: unknown, url: string, dataDir: string): LightsoutError {
  if (err instanceof LightsoutError) return err;
  if (isUntrustedError(err)) return new LightsoutError('LIGHTSOUT_CERT_UNTRUSTED', untrustedMessage(dataDir, (err as Error).message), { cause: err });
  return new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `cannot connect to ${url}: ${(err as Error).message}`, { cause: err });
}
