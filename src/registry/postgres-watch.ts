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
  /** Run on the fresh connection after each reconnect, to catch up on what was missed. */
  readonly catchUp: (client: pg.Client) => Promise<void>;
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

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 5_000, keepAlive: true });
    // A dropped connection emits 'error' then 'end'; 'end' schedules the reconnect.
    next.on('error', () => {});
    next.on('notification', (message) => {
      if (message.channel !== options.channel || message.payload === undefined) return;
      try {
        options.onMessage(message.payload);
      } catch {
        // The listener's own failure must not break the connection's event handling.
      }
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
          if (stopped) return void (await next.end().catch(() => {}));
          client = next;
          delay = firstRetryMs;
          await options.catchUp(next);
        })
        .catch(() => {
          delay = Math.min(delay * 2, maxRetryMs);
          if (!client) reconnectLater();
          else client.end().catch(() => {});
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
