/**
 * The broker access port: who may connect to the embedded MQTT broker, and which topics each
 * connection may publish and subscribe to. The broker (a connector) calls it; src/auth implements
 * it over device credentials and tenants.
 * @module
 */

/** A connected, authenticated MQTT client. */
export interface BrokerSession {
  /** Device id (its MQTT user name), or `anonymous` when anonymous clients are allowed. */
  device: string;
  tenant: string;
}

/** What a client presents at CONNECT. */
export interface BrokerConnect {
  clientId: string;
  username?: string;
  password?: Uint8Array;
  /** The Last Will, checked like a publish at connect time. */
  will?: { topic: string; retain: boolean };
  address: string;
}

/** Why a client or a message was refused: counted by reason and shown in health. */
export type BrokerRefusal = 'bad-credentials' | 'rate-limited' | 'client-id' | 'will' | 'publish' | 'subscribe' | 'retain' | 'forward';

/** The verdict on a CONNECT. */
export type BrokerAuthResult =
  | { ok: true; session: BrokerSession }
  | { ok: false; reason: BrokerRefusal; message: string };

/** Decides who connects and what they may touch. */
export interface BrokerAccess {
  authenticate(c: BrokerConnect): Promise<BrokerAuthResult>;
  /** undefined when allowed, else a reason. */
  checkPublish(s: BrokerSession, topic: string, retain: boolean): string | undefined;
  /** undefined when allowed, else a reason. */
  checkSubscribe(s: BrokerSession, filter: string): string | undefined;
  /** Told when a device's credentials stop being valid (removed, disabled, new password): its connections close. */
  onRevoked?(listener: (device: string) => void): void;
}
