import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deliver } from '../../../src/notify/deliver.js';
import { deliveryBody, slackText } from '../../../src/notify/format.js';
import type { Notification } from '../../../src/notify/notification.js';
import { signDelivery, verifyDelivery } from '../../../src/notify/signature.js';
import { parseSpec } from '../../../src/spec/parse.js';

const notification: Notification = {
  id: 'd-1',
  event: 'deployed',
  model: 'taxi-duration',
  version: 3,
  workflowId: 'train-taxi',
  runId: 'r1',
  at: '2024-05-01T10:00:00.000Z',
  details: { reviewer: 'ana', metrics: { rmse: 4.2 } },
};

describe('delivery signatures', () => {
  it('verify only the same body, key and a recent timestamp', () => {
    const now = 1_714_557_600_000;
    const t = now / 1000;
    const body = deliveryBody(notification, 'json');
    const signature = signDelivery('k1', t, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyDelivery('k1', { timestamp: String(t), signature }, body, now)).toBe(true);
    expect(verifyDelivery('k2', { timestamp: String(t), signature }, body, now)).toBe(false);
    expect(verifyDelivery('k1', { timestamp: String(t), signature }, `${body} `, now)).toBe(false);
    expect(verifyDelivery('k1', { timestamp: String(t + 1), signature }, body, now)).toBe(false);
    expect(verifyDelivery('k1', { timestamp: String(t), signature }, body, now + 10 * 60_000)).toBe(false);
    expect(verifyDelivery('k1', { timestamp: undefined, signature }, body, now)).toBe(false);
  });
});

describe('delivery formats', () => {
  it('json sends the notification; slack a readable text message', () => {
    expect(JSON.parse(deliveryBody(notification, 'json'))).toEqual(notification);
    const slack = JSON.parse(deliveryBody(notification, 'slack')) as { text: string };
    expect(Object.keys(slack)).toEqual(['text']);
    expect(slack.text).toContain('*taxi-duration* v3 is in production');
    expect(slack.text).toContain('reviewer: ana');
    expect(slackText({ ...notification, event: 'rollback', version: 2 })).toContain('rolled back to v2');
  });
});

describe('deliver', () => {
  it('signs with the key from the environment, and fails retryably on a non-2xx answer or a missing key', async () => {
    const seen: { headers: Record<string, unknown>; body: string }[] = [];
    let status = 500;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const target = { url: `http://127.0.0.1:${port}/hook?token=abc`, events: ['deployed' as const], secretEnv: 'HOOK_KEY', format: 'json' as const };
    try {
      await expect(deliver(target, notification, { env: {} })).rejects.toMatchObject({ type: 'DeliveryFailed', retryable: true, message: expect.stringMatching(/no HOOK_KEY/) });
      await expect(deliver(target, notification, { env: { HOOK_KEY: 's' } })).rejects.toMatchObject({ type: 'DeliveryFailed', message: expect.not.stringContaining('token=abc') });
      status = 202;
      expect(await deliver(target, notification, { env: { HOOK_KEY: 's' } })).toBe(202);
      const last = seen.at(-1)!;
      expect(last.headers).toMatchObject({ 'x-mlops-event': 'deployed', 'x-mlops-delivery': 'd-1' });
      expect(verifyDelivery('s', { timestamp: last.headers['x-mlops-timestamp'] as string, signature: last.headers['x-mlops-signature'] as string }, last.body)).toBe(true);
      await expect(deliver({ ...target, url: 'http://127.0.0.1:1/' }, notification, { env: { HOOK_KEY: 's' } })).rejects.toMatchObject({ type: 'DeliveryFailed', message: expect.stringMatching(/could not reach http:\/\/127.0.0.1:1/) });
    } finally {
      server.close();
    }
  });
});

describe('the notify section of a spec', () => {
  const base = { name: 'm', task: 'regression' as const, data: { source: 'x.csv', target: 'y', features: [{ name: 'x', type: 'numeric' as const }] } };
  it('defaults to every event in json, and refuses a secret in place of a variable name or a bad URL', () => {
    const spec = parseSpec({ ...base, notify: [{ url: 'https://example.com/hook', secretEnv: 'MLOPS_WEBHOOK_SECRET' }] }, 'test');
    expect(spec.notify?.[0]).toMatchObject({ format: 'json', events: ['awaiting-approval', 'deployed', 'rejected', 'failed', 'drift', 'decay', 'rollback'] });
    expect(() => parseSpec({ ...base, notify: [{ url: 'https://example.com/hook', secretEnv: 'hunter2 is my key' }] }, 'test')).toThrow(/secretEnv names an environment variable/);
    expect(() => parseSpec({ ...base, notify: [{ url: 'ftp://example.com/hook' }] }, 'test')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseSpec({ ...base, notify: [{ url: 'https://example.com/hook', events: ['exploded'] }] }, 'test')).toThrow(/notify/);
  });
});
