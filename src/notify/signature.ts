/**
 * Delivery signatures: `X-Mlops-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
 * the scheme Stripe and Slack use, so a receiver can check both who sent a delivery and that it
 * is recent (the timestamp is signed too, so an old delivery cannot be replayed as new).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header value for `body` sent at `timestamp` (Unix seconds). */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver runs: true when `signature` is {@link signDelivery}'s for this body and
 * timestamp, and the timestamp is within `toleranceSeconds` of `now` (default 5 minutes).
 */
export function verifyDelivery(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
