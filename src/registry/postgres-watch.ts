/**
 * Follows the registry's `NOTIFY` channel on a dedicated connection (LISTEN cannot share a
 * pooled one). When the connection drops it reconnects with backoff, and on each reconnect
 * reports every model as changed, because a notification sent while it was away is lost.
 */
import pg from 'pg';
import { registryError } from './postgres-errors.js';

export interface ChannelFollowerOptions {
  readonly url: string;
  /** `host:port/database`, for error messages. */
  readonly where: string;
  readonly channel: string;
  /** Called with each notification's payload; a throw is dropped so the follower survives. */
  readonly onMessage: (payload: string) => void;
  /** Run on the fresh connection after each reconnect: the payloads to deliver for what was missed. */
  readonly catchUp: (client: pg.Client) => Promise<string[]>;
}

const firstRetryMs = 250;
const maxRetryMs = 5_000;

/**
 * Connects and starts listening; rejects (with the mapped error) when the first connection
 * fails. Resolves to a function that stops following and closes the connection.
 */
export async function followChannel(options: ChannelFollowerOptions): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = firstRetryMs;

  const deliver = (payload: string): void => {
    try {
      options.onMessage(payload);
    } catch {
      // The listener's own failure must not break the connection's event handling.
    }
  };

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 5_000, keepAlive: true });
    // A dropped connection emits 'error' then 'end'; 'end' schedules the reconnect.
    next.on('error', () => {});
    next.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined) deliver(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
    } catch (err) {
      await next.end().catch(() => {});
      throw registryError(err, options.where);
    }
    next.once('end', () => {
      if (client === next) reconnectLater();
    });
    return next;
  };

  const reconnectLater = (): void => {
    client = undefined;
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect()
        .then(async (next) => {
          if (stopped) {
            await next.end().catch(() => {});
            return;
          }
          client = next;
          delay = firstRetryMs;
          for (const payload of await options.catchUp(next)) deliver(payload);
        })
        .catch(() => {
          delay = Math.min(delay * 2, maxRetryMs);
          // Forget a connection whose catch-up failed before closing it, so its 'end' does not
          // schedule a second reconnect.
          const broken = client;
          client = undefined;
          broken?.end().catch(() => {});
          reconnectLater();
        });
    }, delay);
  };

  client = await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    await last?.end().catch(() => {});
  };
}
