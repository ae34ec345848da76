import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES } from '../fixtures/logs/generators.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { needs } from '../helpers/needs.js';
import { startS3rver } from '../helpers/s3rver.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

/** A day of gzipped nginx access logs, one file an hour, 30 requests each (every 10th a 502, some 404s). */
const HOURS = 24;
const PER_FILE = 30;
const hourKey = (day: string, h: number) => `nginx/${day}/access-${String(h).padStart(2, '0')}.log.gz`;
/** Only in the 21:00 file: checkout requests failing with 503, a template the rest of the day never has. */
const INCIDENT_HOUR = 21;
const INCIDENT_LINES = 5;
const incidentLines = Array.from({ length: INCIDENT_LINES }, (_, i) => `10.0.0.9 - - [01/Dec/2026:21:30:0${i} +0000] "POST /checkout/pay/${i} HTTP/1.1" 503 12 "-" "curl/8.0" 0.500`);
const hourLog = (y: number, m: number, d: number, h: number) => {
  const lines = FORMAT_SAMPLES.access(PER_FILE, Date.UTC(y, m - 1, d, h));
  if (d === 1 && h === INCIDENT_HOUR) lines.push(...incidentLines);
  return gzipSync(`${lines.join('\n')}\n`);
};
/** In FORMAT_SAMPLES.access, line i is a 502 when i % 10 === 0: 3 per file. */
const ERRORS_PER_FILE = Array.from({ length: PER_FILE }, (_, i) => i).filter((i) => i % 10 === 0).length;
const REQUESTS = HOURS * PER_FILE + INCIDENT_LINES;
const ERRORS = HOURS * ERRORS_PER_FILE + INCIDENT_LINES;

/**
 * The console's Storage and Log analysis screens in Chromium against the real platform and s3rver: a
 * profile whose credentials are secret references, its connection tested (and a broken one's reason
 * shown), a day's gzipped logs browsed by date over pages and downloaded, then analysed (histogram,
 * levels), mined for templates, searched with the match highlighted, compared, exported as Markdown.
 */
describe.skipIf(!needs('chromium'))('web console: storage and log analysis (Chromium)', () => {
  let h: ConsoleHarness;
  let s3: { endpoint: string; close(): Promise<void> };
  let headers: { authorization: string };
  const s3dir = mkdtempSync(path.join(tmpdir(), 'mcps-e2e-s3-'));

  beforeAll(async () => {
    s3 = await startS3rver(s3dir, ['logs']);
    const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const puts = [
      ...Array.from({ length: HOURS }, (_, h) => ({ Key: hourKey('2026/12/01', h), Body: hourLog(2026, 12, 1, h) })),
      { Key: hourKey('2026/11/30', 23), Body: hourLog(2026, 11, 30, 23) },
      { Key: hourKey('2026/12/02', 0), Body: hourLog(2026, 12, 2, 0) },
    ];
    await Promise.all(puts.map((p) => put.send(new PutObjectCommand({ Bucket: 'logs', ...p }))));
    put.destroy();

    h = await startConsole();
    headers = await h.t.login();
    for (const [name, value] of [['S3_KEY', 'S3RVER'], ['S3_SECRET', 'S3RVER'], ['UNRELATED', 'x']] as const) {
      const res = await h.t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers, payload: { name, value } });
      expect(res.statusCode, res.body).toBe(201);
    }
    // A profile on a bucket that does not exist: its connection test must show the storage's answer.
    const broken = await h.t.app.inject({
      method: 'POST', url: '/api/v1/storage/profiles', headers,
      payload: { name: 'broken', provider: 's3', region: 'us-east-1', bucket: 'no-such-bucket', endpoint: s3.endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}' },
    });
    expect(broken.statusCode, broken.body).toBe(201);
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
    await h.t.ctx.users.create({ username: 'e2e-operator', password: 'e2e-operator-password', role: 'operator' });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await s3?.close();
    rmSync(s3dir, { recursive: true, force: true });
  });

  async function newPage(username: string, password: string): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, username, password);
    return { page, problems, close: () => context.close() };
  }

  const fileRows = (page: Page) => page.getByRole('table', { name: 'Files', exact: true }).locator('tbody tr');

  it('an admin adds a profile with secret references, tests it, browses a day by date over pages and downloads it, then analyses the files', async () => {
    const { page, problems, close } = await newPage('admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Storage' }).click();
    await page.getByRole('heading', { name: 'Storage profiles' }).waitFor();

    // Create: the credentials are chosen among the stored secrets, never typed.
    await page.getByText('Add a profile').click();
    const form = page.getByRole('form', { name: 'Add a profile' });
    await form.getByLabel('Name *').fill('local');
    await form.getByLabel('Provider').selectOption('s3');
    await form.getByLabel('Region *').fill('us-east-1');
    await form.getByLabel('Bucket *').fill('logs');
    await form.getByLabel('Endpoint URL').fill(s3.endpoint);
    await form.getByLabel(/Path-style URLs/).check();
    await form.getByLabel('Access key ID *').selectOption('S3_KEY');
    await form.getByLabel('Secret access key *').selectOption('S3_SECRET');
    await form.getByLabel('Prefix').fill('nginx/');
    await form.getByLabel('Date layout').fill('YYYY/MM/DD');
    await form.getByRole('button', { name: 'Add profile' }).click();
    await page.getByRole('row', { name: /^local/ }).waitFor();
    const stored = await h.t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles/local', headers });
    expect(stored.json()).toMatchObject({ access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', path_style: true, prefix: 'nginx/', date_pattern: 'YYYY/MM/DD' });
    await expect.poll(() => page.getByRole('row', { name: /^local/ }).textContent()).toContain('${secret:S3_KEY}');

    // Test: the working profile connects; the broken one shows the storage's answer (problem+json detail).
    await page.getByRole('button', { name: 'Test connection of local' }).click();
    await page.getByRole('row', { name: /^local/ }).getByRole('status').filter({ hasText: /^Connected to logs at http:\/\/127\.0\.0\.1:\d+: \d+ keys seen/ }).waitFor();
    await page.getByRole('button', { name: 'Test connection of broken' }).click();
    const refusal = page.getByRole('row', { name: /^broken/ }).getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/not found \(404/);

    // Edit: the broken profile pointed at the right bucket connects; its credentials stay references.
    await page.getByRole('button', { name: 'Edit broken' }).click();
    const edit = page.getByRole('form', { name: 'Edit broken' });
    expect(await edit.getByLabel('Secret access key *').inputValue()).toBe('S3_SECRET');
    await edit.getByLabel('Bucket *').fill('logs');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await h.t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles/broken', headers })).json()).toMatchObject({ bucket: 'logs', secret_access_key: '${secret:S3_SECRET}' });
    await page.getByRole('button', { name: 'Test connection of broken' }).click();
    await page.getByRole('row', { name: /^broken/ }).getByRole('status').filter({ hasText: /^Connected to logs/ }).waitFor();

    // Delete asks once more.
    await page.getByRole('button', { name: 'Delete broken' }).click();
    await page.getByRole('button', { name: 'Delete broken now' }).click();
    await page.getByRole('row', { name: /^broken/ }).waitFor({ state: 'detached' });
    expect((await h.t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles/broken', headers })).statusCode).toBe(404);

    // Browse 2026-12-01 (not the files of the days around it) ten at a time; select every page.
    await page.getByLabel('Profile', { exact: true }).selectOption('local');
    await page.getByLabel('From date').fill('2026-12-01');
    await page.getByLabel('To date').fill('2026-12-01');
    await page.getByLabel('Page size').selectOption('10');
    await page.getByRole('button', { name: 'List files' }).click();
    const seen: string[] = [];
    for (const expected of [10, 10, 4]) {
      await expect.poll(() => fileRows(page).count()).toBe(expected);
      if (seen.length === 0) await page.getByText('14 more not shown.').waitFor();
      seen.push(...(await page.getByRole('table', { name: 'Files', exact: true }).locator('tbody code').allTextContents()));
      await page.getByLabel('Select every file on this page').check();
      if (seen.length < HOURS) await page.getByRole('button', { name: 'Next page' }).click();
    }
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    expect(seen.sort()).toEqual(Array.from({ length: HOURS }, (_, i) => hourKey('2026/12/01', i)));
    expect(await fileRows(page).first().textContent()).toMatch(/2026-12-01/);

    await page.getByRole('button', { name: `Download selected (${HOURS})` }).click();
    await page.getByText(`${HOURS} downloaded, 0 skipped (already here), 0 failed`).waitFor({ timeout: 30_000 });
    const results = page.getByRole('table', { name: 'Download result' }).locator('tbody tr');
    expect(await results.count()).toBe(HOURS);
    expect(await results.filter({ hasText: 'downloaded' }).count()).toBe(HOURS);
    expect(await checkScreen(page, 'storage')).toEqual([]);

    // Analyze the downloaded files: the histogram and the counts per level.
    await page.getByRole('link', { name: `Analyze these ${HOURS} files` }).click();
    await page.getByRole('heading', { name: 'Log analysis' }).waitFor();
    const files = page.getByLabel(/^Files, folders or globs/);
    expect((await files.inputValue()).split('\n').sort()).toEqual(Array.from({ length: HOURS }, (_, i) => `local/${hourKey('2026/12/01', i)}`));
    // The same files picked by profile and day instead: one glob from the profile's prefix and date layout.
    await files.fill('');
    await page.locator('details.from-storage summary').click();
    await page.getByLabel('Profile', { exact: true }).selectOption('local');
    await page.getByLabel('From date').fill('2026-12-01');
    await page.getByRole('button', { name: 'Add to files' }).click();
    expect(await files.inputValue()).toBe('local/{nginx/2026/12/01*,nginx/2026/12/01*/**}');
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    const histogram = page.getByRole('img', { name: /^Bar chart of log entries over time/ });
    await histogram.waitFor({ timeout: 30_000 });
    expect(await histogram.locator('canvas').count()).toBe(1);
    const levels = page.getByRole('table', { name: 'Entries per level' });
    expect(await levels.getByRole('row', { name: /^error/ }).textContent()).toBe(`error${ERRORS}`);
    await page.getByRole('heading', { name: `Access log: ${REQUESTS} requests` }).waitFor();
    expect(await page.locator('section[aria-labelledby="an-access"] dl').textContent()).toContain(`5xx${ERRORS}`);
    expect(await checkScreen(page, 'analysis')).toEqual([]);

    // Templates.
    await page.getByRole('tab', { name: 'Templates' }).click();
    const templates = page.getByRole('table', { name: 'Templates' }).locator('tbody tr');
    await templates.first().waitFor({ timeout: 30_000 });
    expect(await templates.first().textContent()).toContain('GET');

    // Search with context: the match is highlighted in a <mark>.
    await page.getByRole('tab', { name: 'Search' }).click();
    await page.getByLabel('Text or regular expression').fill('" 502 ');
    await page.getByLabel('Context entries').fill('1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // (Text locators after axe has run in the page trip Playwright's text engine: read the status instead.)
    await expect.poll(() => page.locator('[role="tabpanel"] p[role="status"]').textContent(), { timeout: 30_000 }).toBe(`${HOURS * ERRORS_PER_FILE} matches in ${REQUESTS} entries.`);
    const marks = page.locator('ol.hits mark');
    expect(await marks.first().textContent()).toBe('" 502 ');
    expect(await page.locator('ol.hits li').first().locator('.context').count()).toBeGreaterThan(0);
    expect(await checkScreen(page, 'analysis-search')).toEqual([]);

    // Compare the incident hour with the day before it: the failing checkout is new, with its lines as evidence.
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByLabel('Incident from *').fill('2026-12-01T21:00:00Z');
    await page.getByLabel('Incident to *').fill('2026-12-01T22:00:00Z');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByRole('heading', { name: 'New templates (1)' }).waitFor({ timeout: 30_000 });
    const added = page.getByRole('table', { name: 'New templates' }).locator('tbody tr');
    expect(await added.count()).toBe(1);
    expect(await added.locator('code.template').textContent()).toMatch(/^POST /);
    expect(await added.locator('td.num').allTextContents()).toEqual(['0', String(INCIDENT_LINES), '—']);
    expect(await added.locator('ul.evidence li').first().textContent()).toContain('POST /checkout/pay/');
    await page.getByRole('heading', { name: /^Vanished templates/ }).waitFor();
    expect(await checkScreen(page, 'analysis-compare')).toEqual([]);

    // Export Markdown and fetch it through the link (the session cookie authenticates it).
    await page.getByRole('tab', { name: 'Export' }).click();
    expect(await page.getByLabel('Report', { exact: true }).locator('option').allTextContents()).toEqual(['Summary', 'Templates', 'Search', 'Compare']);
    await page.getByLabel('Report format').selectOption('markdown');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const link = page.getByRole('link', { name: /^Download report-.*\.md$/ });
    await link.waitFor({ timeout: 30_000 });
    const report = await page.request.get(new URL((await link.getAttribute('href'))!, h.base).toString());
    expect(report.status()).toBe(200);
    const markdown = await report.text();
    expect(markdown).toMatch(/^#/m);
    expect(markdown).toContain(String(REQUESTS));
    // The comparison asked in its tab, as CSV: the new template is in it.
    await page.getByLabel('Report', { exact: true }).selectOption('compare');
    await page.getByLabel('Report format').selectOption('csv');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const csvLink = page.getByRole('link', { name: /^Download report-.*\.csv$/ });
    await csvLink.waitFor({ timeout: 30_000 });
    const csv = await page.request.get(new URL((await csvLink.getAttribute('href'))!, h.base).toString());
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toMatch(/new.*POST <\*> HTTP/);

    // Back to Search: the question and its highlighted answer are still there.
    await page.getByRole('tab', { name: 'Search' }).click();
    expect(await page.getByLabel('Text or regular expression').inputValue()).toBe('" 502 ');
    expect(await page.locator('ol.hits mark').first().textContent()).toBe('" 502 ');

    expect(problems).toEqual([]);
    await close();
  }, 180_000);

  it('an operator tests and downloads but gets no profile changes', async () => {
    const { page, problems, close } = await newPage('e2e-operator', 'e2e-operator-password');
    await page.getByRole('link', { name: 'Storage' }).click();
    // `local` is the profile the test above created.
    await page.getByRole('button', { name: 'Test connection of local' }).waitFor();
    expect(await page.getByText('Add a profile').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await page.getByLabel('Profile', { exact: true }).selectOption('local');
    // A glob, no dates: the evening files of every day.
    await page.getByLabel('Glob (e.g. **/*.gz)').fill('**/access-2?.log.gz');
    await page.getByRole('button', { name: 'List files' }).click();
    await expect.poll(() => fileRows(page).count()).toBe(5);
    expect((await page.getByRole('table', { name: 'Files', exact: true }).locator('tbody code').allTextContents()).sort()).toEqual([
      hourKey('2026/11/30', 23), ...[20, 21, 22, 23].map((h) => hourKey('2026/12/01', h)),
    ]);
    await page.getByRole('button', { name: /^Download selected/ }).waitFor();
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it('a viewer sees no storage and no export, and analyses pasted text', async () => {
    const { page, problems, close } = await newPage('e2e-viewer', 'e2e-viewer-password');
    expect(await page.getByRole('link', { name: 'Storage' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Log analysis' }).click();
    // A path outside the log roots: the API's reason, and no storage picker for this role.
    expect(await page.locator('details.from-storage').count()).toBe(0);
    await page.getByLabel(/^Files, folders or globs/).fill('/etc/passwd');
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: "'/etc/passwd' is outside the log roots" }).waitFor();
    await page.getByLabel(/^Files, folders or globs/).fill('');
    await page.getByLabel('Or paste log text').fill(FORMAT_SAMPLES.text(50).join('\n'));
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await page.getByRole('img', { name: /^Bar chart of log entries over time/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('table', { name: 'Entries per level' }).getByRole('row', { name: /^error/ }).textContent()).toBe('error5');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Summary', 'Templates', 'Compare', 'Search']);
    // Tabs by keyboard: the arrow moves to the next view and shows it.
    await page.getByRole('tab', { name: 'Summary' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Templates' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('table', { name: 'Templates' }).waitFor();
    await page.goto(`${h.base}/storage`);
    await page.getByText('Your role cannot open this page.').waitFor();
    expect(problems).toEqual([]);
    await close();
  }, 60_000);
});
