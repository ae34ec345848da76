import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { needs } from '../helpers/needs.js';
import { startS3rver } from '../helpers/s3rver.js';
import { checkScreen, type ConsoleHarness, openPage, signIn, startConsole } from './console-harness.js';

/**
 * The Jobs screen in Chromium: an admin starts a call_tool batch from the form against a running
 * fixture server, watches its progress bar reach the total, opens it and reads each item's result; a download_analyze
 * batch over files in s3rver; the API's problem detail shown on a refused start; a
 * slower batch is cancelled from its page (confirmed); a viewer sees the batches but no Start or Cancel.
 */
describe.skipIf(!needs('chromium'))('web console: jobs (Chromium)', () => {
  let h: ConsoleHarness;
  let s3: { endpoint: string; close(): Promise<void> };
  const s3dir = mkdtempSync(path.join(tmpdir(), 'mcps-e2e-jobs-s3-'));

  beforeAll(async () => {
    s3 = await startS3rver(s3dir, ['logs']);
    const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const log = (hour: number) => gzipSync(Array.from({ length: 20 }, (_, i) => `2026-12-01T0${hour}:00:${String(i).padStart(2, '0')}Z ${i % 5 ? 'INFO' : 'ERROR'} request ${i}\n`).join(''));
    for (let hour = 0; hour < 3; hour++) await put.send(new PutObjectCommand({ Bucket: 'logs', Key: `app/2026/12/01/app-0${hour}.log.gz`, Body: log(hour) }));
    put.destroy();
    h = await startConsole();
    await h.t.ctx.jobs.start();
    const headers = await h.t.login();
    const post = async (url: string, payload?: object) => {
      const res = await h.t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    await post('/tools', { name: 'jobs-fixture', transport: 'stdio', command: process.execPath, args: [fixturePath('well-behaved')], restart_policy: 'never' });
    await post('/tools/jobs-fixture/start');
    for (const [name, value] of [['S3_KEY', 'S3RVER'], ['S3_SECRET', 'S3RVER']] as const) await post('/secrets', { name, value });
    await post('/storage/profiles', { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint: s3.endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', date_pattern: 'YYYY/MM/DD' });
    await h.t.ctx.users.create({ username: 'jobs-viewer', password: 'jobs-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await s3?.close();
    rmSync(s3dir, { recursive: true, force: true });
  });

  it('an admin starts a call_tool batch, sees it reach done and reads the results; a slow one is cancelled', async () => {
    const { page, problems } = await openPage(h);
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();

    // A line that is not a JSON object is refused before sending.
    await page.getByText('Start batch').click();
    await page.getByLabel('Server *').selectOption('jobs-fixture');
    await page.getByLabel('Tool name *').fill('echo');
    await page.getByLabel('Inputs (JSON arguments, one per line)').fill('{"message": "one"}\nnot json');
    await page.getByText('Line 2 is not a JSON object.').waitFor();
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);

    // Blank lines only: the API's problem+json detail is shown.
    await page.getByLabel('Inputs (JSON arguments, one per line)').fill('  \n  ');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/params: params\.inputs: /);

    const inputs = ['one', 'two', 'three', 'four', 'five'];
    await page.getByLabel('Inputs (JSON arguments, one per line)').fill(inputs.map((m) => JSON.stringify({ message: m })).join('\n'));
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const status = page.getByRole('status').filter({ hasText: 'Started batch' });
    await status.waitFor();
    const batchId = /Started batch (\S+)\./.exec((await status.textContent()) ?? '')![1]!;
    const bar = page.getByRole('progressbar', { name: `Progress of batch ${batchId}` });
    await expect.poll(async () => bar.getAttribute('aria-valuetext'), { timeout: 30_000 }).toBe('5 done, 0 failed of 5');
    expect(await bar.evaluate((el) => { const p = el as unknown as { value: number; max: number }; return [p.value, p.max]; })).toEqual([5, 5]);
    const row = page.getByRole('row', { name: new RegExp(batchId) });
    expect(await row.textContent()).toContain('completed');
    a11y.push(...(await checkScreen(page, 'jobs')));

    await row.getByRole('link', { name: batchId }).click();
    await page.getByRole('heading', { name: `Batch ${batchId}` }).waitFor();
    const cells = page.getByRole('table', { name: 'Items' }).getByRole('row');
    await expect.poll(() => cells.count()).toBe(6);
    const texts = await cells.allTextContents();
    // Each item's input and its result (the echoed text).
    for (const m of inputs) expect(texts.some((r) => r.includes(`{"message":"${m}"}`) && r.includes(`done1${m}`))).toBe(true);
    expect(texts.slice(1).every((r) => r.includes('done'))).toBe(true);
    // No Cancel on a finished batch.
    expect(await page.getByRole('button', { name: 'Cancel batch' }).count()).toBe(0);
    // Filtered to failed items: none; back to done: all five.
    await page.getByLabel('Item status').selectOption('failed');
    await page.getByText('No items in this state.').waitFor();
    await page.getByLabel('Item status').selectOption('done');
    await expect.poll(() => cells.count()).toBe(6);
    a11y.push(...(await checkScreen(page, 'job')));

    // A slow batch (each call 3 s, one at a time): cancelled from its page.
    // (Text locators fail in a page where axe has run: by role, label or element from here.)
    await page.getByRole('link', { name: 'All batches' }).click();
    await page.locator('details > summary').click();
    await page.getByLabel('Server *').selectOption('jobs-fixture');
    await page.getByLabel('Tool name *').fill('slow');
    await page.getByLabel('Concurrency').fill('1');
    await page.getByLabel('Inputs (JSON arguments, one per line)').fill(Array.from({ length: 20 }, () => '{"ms": 3000}').join('\n'));
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('link', { name: 'Open it' }).click();
    await page.getByRole('button', { name: 'Cancel batch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this batch?' });
    await dialog.getByRole('button', { name: 'Cancel batch' }).click();
    await expect.poll(() => page.getByTestId('batch-state').textContent(), { timeout: 15_000 }).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel batch' }).count()).toBe(0);
    const after = await page.getByRole('progressbar').getAttribute('aria-valuetext');
    const done = Number(/^(\d+) done/.exec(after ?? '')?.[1]);
    expect(done).toBeLessThan(20);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('a viewer sees the batches and their items but no Start or Cancel', async () => {
    const { page, problems } = await openPage(h);
    await signIn(page, h.base, 'jobs-viewer', 'jobs-viewer-password');
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('table', { name: 'Batches' }).waitFor();
    expect(await page.getByText('Start batch').count()).toBe(0);
    await page.getByRole('row').nth(1).getByRole('link').click();
    await page.getByRole('table', { name: 'Items' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel batch' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
  it('an admin starts a download_analyze batch over a day of stored logs; each file is an item with its summary', async () => {
    const { page, problems } = await openPage(h);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByText('Start batch').click();
    await page.getByLabel('Operation').selectOption('download_analyze');
    await page.getByLabel('Storage profile *').selectOption('local');
    await page.getByLabel('Prefix').fill('app/');
    await page.getByLabel('From date').fill('2026-12-01');
    await page.getByLabel('To date').fill('2026-12-01');
    // A pattern that matches nothing: the API's refusal (problem+json detail) is shown; then without it.
    await page.getByLabel('File name pattern (glob)').fill('*.nothing');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('the selection has no items (nothing matched): nothing to run');
    await page.getByLabel('File name pattern (glob)').fill('');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('link', { name: 'Open it' }).click();
    const bar = page.getByRole('progressbar');
    await expect.poll(async () => bar.getAttribute('aria-valuetext'), { timeout: 30_000 }).toBe('3 done, 0 failed of 3');
    expect(await page.getByTestId('batch-state').textContent()).toBe('completed');
    const rows = await page.getByRole('table', { name: 'Items' }).getByRole('row').allTextContents();
    expect(rows).toHaveLength(4);
    for (let hour = 0; hour < 3; hour++) expect(rows.some((r) => r.includes(`app-0${hour}.log.gz`) && r.includes('done'))).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('at 390×844 the list and a batch fit without sideways scroll (the progress bar in a card)', async () => {
    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    try {
      await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
      const wide = () => page.evaluate<number>('document.scrollingElement.scrollWidth - innerWidth');
      await page.goto(`${h.base}/jobs`);
      await page.getByRole('table', { name: 'Batches' }).waitFor();
      expect(await wide()).toBeLessThanOrEqual(0);
      await page.getByRole('row').nth(1).getByRole('link').click();
      await page.getByRole('table', { name: 'Items' }).waitFor();
      expect(await wide()).toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
