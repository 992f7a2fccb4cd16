/**
 * Connector health as data: shown in /api/v1/health and, later, the UI.
 * @module
 */

/** The states a connector moves through. */
export type ConnectorState = 'starting' | 'connected' | 'degraded' | 'reconnecting' | 'stopped';

/** One connector's status. `since` is when it entered `state` (epoch ms). */
export type ConnectorStatus =
  | { state: 'starting'; since: number }
  | { state: 'connected'; since: number; detail?: string }
  | { state: 'degraded'; since: number; reason: string }
  | { state: 'reconnecting'; since: number; lastError: string; attempts: number }
  | { state: 'stopped'; since: number; lastError?: string };

/** What every connector exposes. */
export interface Connector {
  /** Stable name, e.g. `mqtt-broker` or `mqtt-client`. */
  readonly name: string;
  status(): ConnectorStatus;
  /** Counters: messages in, bytes in, rejected, etc. */
  counters(): Record<string, number>;
}

/** Handles one inbound MQTT message; resolves once it is durably taken (or rejected and counted). */
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void> | void;

/** Publishes on the MQTT side the platform is connected to (for Sparkplug STATE/NCMD). */
export type Publisher = (topic: string, payload: Uint8Array, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>;

/**
 * Run a MessageHandler and call `callback` (a broker's acknowledgement step) once the message is
 * durably taken: at once when the handler returned nothing, when its promise resolves, or with the
 * error when it throws or rejects (then `onError` is told first). Both broker connectors use it so
 * the acknowledgement rule lives in one place.
 */
export function ackWhenDone(handler: MessageHandler, topic: string, payload: Buffer, callback: (err?: Error | null) => void, onError: (err: Error) => void): void {
  let outcome: Promise<void> | void;
  try {
    outcome = handler(topic, payload);
  } catch (err) {
    onError(err as Error);
    callback(err as Error);
    return;
  }
  if (outcome === undefined) {
    callback(null);
    return;
  }
  outcome.then(
    () => callback(null),
    (err: unknown) => {
      onError(err as Error);
      callback(err as Error);
    },
  );
}
