/**
 * The connector's PKI: a client certificate made once per install under `<dataDir>/pki`, and the
 * trust lists. Unknown server certificates are never accepted automatically: node-opcua files
 * them under `pki/rejected`, and an engineer trusts one by moving it to `pki/trusted/certs`
 * (or with {@link trustRejectedCertificates}).
 * @module
 */
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

/** Where the connector keeps its PKI below its data directory. */
export function pkiDir(dataDir: string): string {
  return join(dataDir, 'pki');
}

/** A certificate manager on `<dataDir>/pki` that trusts only certificates in pki/trusted. */
export async function clientCertificateManager(dataDir: string): Promise<OPCUACertificateManager> {
  const cm = new OPCUACertificateManager({ rootFolder: pkiDir(dataDir), automaticallyAcceptUnknownCertificate: false });
  await cm.initialize();
  return cm;
}

/** The message an engineer sees when the server's certificate is not trusted. */
export function untrustedMessage(dataDir: string, reason: string): string {
  const dir = pkiDir(dataDir);
  return `server certificate not trusted (${reason}); it was filed in ${join(dir, 'rejected')}: check its thumbprint, then move it to ${join(dir, 'trusted', 'certs')} (or call trustServerCertificate()) and the connector connects on its next attempt`;
}

/** True when a node-opcua connect error says the server's certificate was refused. */
export function isUntrustedError(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /BadCertificate(Untrusted|Invalid|Chain|Issuer)|certificate.*(untrusted|rejected|not trusted)|server certificate/i.test(text);
}

/**
 * Move every rejected certificate to the trusted list and make `cm` see it; returns the files moved.
 * (A certificate moved by hand is seen after `cm.reloadCertificates()`, which the connector calls
 * before retrying a connection that failed on trust.)
 */
export async function trustRejectedCertificates(dataDir: string, cm?: OPCUACertificateManager): Promise<string[]> {
  const rejected = join(pkiDir(dataDir), 'rejected');
  const trusted = join(pkiDir(dataDir), 'trusted', 'certs');
  await mkdir(trusted, { recursive: true });
  let names: string[] = [];
  try {
    names = (await readdir(rejected)).filter((n) => /\.(pem|der)$/i.test(n));
  } catch {
    return [];
  }
  for (const n of names) await rename(join(rejected, n), join(trusted, n));
  if (cm && names.length > 0) await cm.reloadCertificates();
  return names;
}
