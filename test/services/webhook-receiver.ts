/**
 * A webhook receiver for tests: verifies every delivery's HMAC, answers 503 to the first
 * `failFirst` attempts of each delivery id, then 204, and keeps what it saw.
 */
import { createServer, type Server } from 'node:http';
import { verifyDelivery } from '../../src/notify/signature.js';
import type { Notification } from '../../src/notify/notification.js';

export interface ReceivedAttempt {
  readonly id: string;
  readonly event: string;
  readonly signed: boolean;
  readonly status: number;
  readonly at: number;
  readonly body: Notification;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly attempts: ReceivedAttempt[];
  /** The deliveries answered 2xx, in order. */
  accepted(): ReceivedAttempt[];
  /** Resolves when an accepted delivery matches. */
  waitFor(match: (n: Notification) => boolean, timeoutMs?: number): Promise<ReceivedAttempt>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, options: { failFirst?: number; port?: number } = {}): Promise<WebhookReceiver> {
  const attempts: ReceivedAttempt[] = [];
  const tries = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => req.headers[name] as string | undefined;
      const signed = verifyDelivery(secret, { timestamp: header('x-mlops-timestamp'), signature: header('x-mlops-signature') }, body);
      const id = header('x-mlops-delivery') ?? '';
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      const status = !signed ? 401 : n <= (options.failFirst ?? 0) ? 503 : 204;
      attempts.push({ id, event: header('x-mlops-event') ?? '', signed, status, at: Date.now(), body: JSON.parse(body) as Notification });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const accepted = () => attempts.filter((a) => a.status === 204);
  return {
    url: `http://127.0.0.1:${port}/hooks/mlops`,
    attempts,
    accepted,
    async waitFor(match, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = accepted().find((a) => match(a.body));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching delivery within ${timeoutMs} ms; attempts: ${JSON.stringify(attempts.map((a) => [a.event, a.status]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
