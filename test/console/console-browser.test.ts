/**
 * The console in headless Chromium over a registry with real runs (two real pipelines on the
 * dev server, one deployed, one waiting for approval) plus seeded history (a sweep's trials,
 * months of monitor checks): every page opens and draws its charts, two runs compare, an
 * authenticated user approves the waiting pipeline and it deploys, a read-only visitor cannot,
 * and a cross-site form post is refused. Screenshots go to test/artifacts/console/.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../../src/console/server.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import { parseSpec } from '../../src/spec/parse.js';
import { pipelineStatus, startTrainingPipeline, waitForStage, type PipelineHandle } from '../../src/temporal/pipeline-client.js';
import { startHarness, taxiSpec, type Harness } from '../integration/harness.js';
import { seedRegistry } from './seed-registry.js';

const shots = path.resolve('test/artifacts/console');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const bobsToken = 'token-of-bo-0123456789abcdef';

describe('the web console in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let consoleUrl: string;
  let closeConsole: () => Promise<void>;
  let waiting: PipelineHandle;
  let deployedId: string;
  let seeded: { model: string; sweep: string };

  beforeAll(async () => {
    h = await startHarness('it-console');
    await mkdir(shots, { recursive: true });
    seeded = await seedRegistry(h.registry, { models: 2, versions: 8, runs: 30, trials: 12, checks: 60 });
    const auto = parseSpec(taxiSpec(h, { name: 'taxi-console', approval: { mode: 'auto' } }), 'test');
    const manual = parseSpec(taxiSpec(h, { name: 'taxi-console', model: { hiddenUnits: [8], epochs: 2, batchSize: 128, learningRate: 0.02 } }), 'test');
    const first = await startTrainingPipeline(h.client, auto, { taskQueue: h.config.taskQueue });
    deployedId = first.workflowId;
    await first.result();
    waiting = await startTrainingPipeline(h.client, manual, { taskQueue: h.config.taskQueue });
    const [running] = await Promise.all([
      startConsole({
        registry: h.registry,
        store: new FileArtifactStore(h.config.artifactsDir),
        auth: { userHeader: 'x-forwarded-user', tokens: new Map([[bobsToken, 'bo']]) },
        temporal: async () => h.client,
        temporalUiUrl: 'http://127.0.0.1:8233',
        namespace: h.config.namespace,
        port: 0,
        host: '127.0.0.1',
      }),
      waitForStage(waiting, ['awaiting-approval']),
    ]);
    consoleUrl = running.url;
    closeConsole = running.close;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await closeConsole?.();
    await h?.close();
  });

  /** A page as a visitor, or as `user` behind the trusted proxy (which sets the header on every request). */
  async function open(url: string, user?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: user ? { 'x-forwarded-user': user } : {} });
    const page = await context.newPage();
    const response = await page.goto(`${consoleUrl}${url}`);
    expect(response?.status(), url).toBe(200);
    return page;
  }

  async function chartsDrawn(page: Page, count: number): Promise<void> {
    await page.waitForFunction(`document.querySelectorAll('[data-chart][data-rendered]').length >= ${count}`, undefined, { timeout: 30_000 });
    expect(await page.locator('[data-chart][data-rendered="error"]').count()).toBe(0);
    expect(await page.locator('[data-chart] svg').count()).toBeGreaterThanOrEqual(count);
  }

  it('shows the models with aliases, monitoring state and the pending approval', async () => {
    const page = await open('/');
    const row = page.locator('tr', { hasText: 'taxi-console' });
    await expect(row.textContent()).resolves.toMatch(/production → v1/);
    expect(await page.locator('tr', { hasText: seeded.model }).textContent()).toMatch(/retrain|none|skipped|rollback/);
    expect(await page.locator('.notice').textContent()).toMatch(/awaiting approval/);
    expect(await page.locator('.who').textContent()).toMatch(/read-only/);
    await page.screenshot({ path: path.join(shots, 'models.png'), fullPage: true });
    await page.context().close();
  });

  it('shows a model: a metric across versions, alias history, lineage, the stored report and a Temporal link', async () => {
    const page = await open('/models/taxi-console');
    await chartsDrawn(page, 1);
    const version = page.locator('tbody tr', { hasText: 'approved by auto' }).first();
    expect(await version.textContent()).toMatch(/v1/);
    expect(await page.locator('a', { hasText: 'run in Temporal' }).first().getAttribute('href')).toContain(encodeURIComponent(deployedId));
    const report = await page.request.get(`${consoleUrl}${await page.locator('a', { hasText: 'report' }).first().getAttribute('href')}`);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-security-policy']).toContain('sandbox');
    expect(await report.text()).toMatch(/<html/i);
    await page.screenshot({ path: path.join(shots, 'model.png'), fullPage: true });
    await page.goto(`${consoleUrl}/models/${seeded.model}`);
    await chartsDrawn(page, 1);
    await page.screenshot({ path: path.join(shots, 'model-100.png'), fullPage: true });
    await page.context().close();
  });

  it('lists runs, filters them, and compares two with the differing parameters highlighted', async () => {
    const page = await open('/runs?model=taxi-console');
    const rows = page.locator('#runs tbody tr');
    expect(await rows.count()).toBe(2);
    await page.screenshot({ path: path.join(shots, 'runs.png'), fullPage: true });
    for (const box of await page.locator('#runs input[type=checkbox]').all()) await box.check();
    await Promise.all([page.waitForURL(/\/runs\/compare/), page.getByRole('button', { name: 'compare selected' }).click()]);
    const differing = await page.locator('#comparison tr.differs th').allTextContents();
    expect(differing).toEqual(expect.arrayContaining(['outcome', 'epochs', 'learningRate', 'hiddenUnits']));
    expect(differing).not.toContain('batchSize');
    expect(differing).not.toContain('dataset'); // the same data snapshot
    await page.screenshot({ path: path.join(shots, 'compare.png'), fullPage: true });
    await page.context().close();
  });

  it("draws a sweep's trials in parallel coordinates", async () => {
    const page = await open(`/runs/sweeps/${seeded.sweep}`);
    await chartsDrawn(page, 1);
    expect(await page.locator('tbody tr').count()).toBe(12);
    await page.screenshot({ path: path.join(shots, 'sweep.png'), fullPage: true });
    await page.context().close();
  });

  it('shows monitoring over time: drift share, per-feature scores, live vs evaluated, decisions', async () => {
    const page = await open(`/models/${seeded.model}/monitoring`);
    await chartsDrawn(page, 3);
    expect(await page.locator('#decisions tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#decisions').textContent()).toMatch(/retrain/);
    await page.screenshot({ path: path.join(shots, 'monitoring.png'), fullPage: true });
    await page.context().close();
  });

  it('a read-only visitor sees the waiting run against the champion but cannot decide', async () => {
    const page = await open('/approvals');
    const section = page.locator(`section[data-workflow="${waiting.workflowId}"]`);
    expect(await section.locator('table').textContent()).toMatch(/rmse/);
    expect(await section.locator('th', { hasText: 'champion (v1)' }).count()).toBe(1);
    expect(await section.locator('form').count()).toBe(0);
    await page.screenshot({ path: path.join(shots, 'approvals-read-only.png'), fullPage: true });
    const post = await page.request.post(`${consoleUrl}/approvals/${encodeURIComponent(waiting.workflowId)}`, { form: { decision: 'approve' } });
    expect(post.status()).toBe(403);
    expect(await post.text()).toMatch(/sign in to approve/);
    expect((await pipelineStatus(waiting)).stage).toBe('awaiting-approval');
    await page.context().close();
  });

  it('refuses a cross-site form post, even with the proxy header of a signed-in user', async () => {
    const evil = await hostileSite(`${consoleUrl}/approvals/${encodeURIComponent(waiting.workflowId)}`);
    try {
      const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-user': 'ana' } });
      const page = await context.newPage();
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(`${consoleUrl}/approvals/`) && r.request().method() === 'POST'), page.goto(evil.url)]);
      expect(response.status()).toBe(403);
      expect(await response.text()).toMatch(/refused: a same-site request may not change anything here/);
      expect((await pipelineStatus(waiting)).stage).toBe('awaiting-approval');
      await context.close();
    } finally {
      await new Promise((r) => evil.server.close(r));
    }
  });

  it('an authenticated user approves the waiting pipeline, signed with their name, and it deploys', async () => {
    const page = await open('/approvals', 'ana');
    expect(await page.locator('.who').textContent()).toMatch(/signed in as ana/);
    const section = page.locator(`section[data-workflow="${waiting.workflowId}"]`);
    await section.locator('input[name=comment]').fill('better learning rate');
    await Promise.all([page.waitForURL(/done=/), section.getByRole('button', { name: 'Approve as ana' }).click()]);
    expect(await page.locator('.notice.ok').textContent()).toMatch(/approved by ana/);
    const result = await waiting.result();
    expect(result).toMatchObject({ deployed: true, version: 2, decision: { approval: { decision: 'approved', reviewer: 'ana', comment: 'better learning rate' } } });
    expect((await h.registry.resolve('taxi-console'))?.approval?.reviewer).toBe('ana');
    await page.screenshot({ path: path.join(shots, 'approvals-approved.png'), fullPage: true });
    // The gate's own validation answers a second decision.
    const again = await page.request.post(`${consoleUrl}/approvals/${encodeURIComponent(waiting.workflowId)}`, {
      form: { decision: 'approve', _csrf: await tokenOf(page) },
      headers: { origin: consoleUrl },
    });
    expect(again.status()).toBe(409);
    await page.context().close();
  });

  it('signs in with a token from the tokens file', async () => {
    const page = await open('/login');
    await page.locator('input[name=token]').fill(bobsToken);
    await Promise.all([page.waitForURL(/\/approvals/), page.getByRole('button', { name: 'sign in' }).click()]);
    expect(await page.locator('.who').textContent()).toMatch(/signed in as bo/);
    await page.context().close();
  });
});

/** The CSRF token a page holds (any of its forms). */
async function tokenOf(page: Page): Promise<string> {
  await page.goto(page.url().replace(/\?.*$/, ''));
  return (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
}

/** Another origin serving a page that submits an approval form to the console as soon as it loads. */
async function hostileSite(action: string): Promise<{ url: string; server: Server }> {
  const html = `<!doctype html><form method="post" action="${action}"><input name="decision" value="approve"><input name="comment" value="pwned"></form><script>document.forms[0].submit()</script>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}
