import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

interface Backup { id: string; kind: string; label: string | null; total_rows: number }

/**
 * The System screen's administration beyond settings and restore, in a real browser: the system
 * information panel, a backup file downloaded from this platform uploaded back (with a wrong file
 * refused with the API's reason) and a backup deleted after a confirmation; a user's role changed and
 * the user disabled (who then cannot sign in), the password policy's reason shown, deleting oneself
 * refused with the API's reason, a user deleted.
 */
describe.skipIf(!needs('chromium'))('web console: System administration (Chromium)', () => {
  let h: ConsoleHarness;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startConsole();
    headers = await h.t.login();
    await h.t.ctx.users.create({ username: 'e2e-victim', password: 'e2e-victim-password', role: 'operator' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function call<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<{ status: number; json: T; raw: Buffer }> {
    const res = await h.t.app.inject({ method, url: `/api/v1${url}`, headers, payload });
    return { status: res.statusCode, json: (res.body && res.headers['content-type']?.toString().includes('json') ? res.json() : null) as T, raw: res.rawPayload };
  }
  const backups = async () => (await call<{ items: Backup[] }>('GET', '/system/backups')).json.items;

  async function openSystem(page: Page): Promise<void> {
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'System information' }).waitFor();
  }

  it('shows the system information: version, database kind and migration level, directories, Node.js', async () => {
    const info = (await call<{ version: string; database: { kind: string; schema_version: string }; config: { data_dir: string }; node: { version: string } }>('GET', '/system/info')).json;
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await openSystem(page);
    const panel = page.getByRole('region', { name: 'System information' });
    await panel.getByText(info.version, { exact: true }).waitFor();
    await panel.getByText(info.database.kind === 'postgres' ? 'PostgreSQL' : 'SQLite', { exact: true }).waitFor();
    expect(info.database.schema_version).toBeTruthy();
    await panel.getByText(info.database.schema_version, { exact: true }).waitFor();
    await panel.getByText(info.config.data_dir, { exact: true }).waitFor();
    await panel.getByText(info.node.version, { exact: true }).waitFor();
    expect(await checkScreen(page, 'system-info')).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('uploads a backup file downloaded from this platform (listed after its check), refuses a wrong file with the reason, deletes a backup after confirming', async () => {
    const created = await call<Backup>('POST', '/system/backups', { label: 'e2e-source' });
    expect(created.status).toBe(201);
    const download = await call('GET', `/system/backups/${created.json.id}/download`);
    expect(download.status).toBe(200);
    const file = path.join(h.t.dir, `${created.json.id}.backup.gz`);
    writeFileSync(file, download.raw);
    const wrong = path.join(h.t.dir, 'notes.backup.gz');
    writeFileSync(wrong, 'this is not a backup\n'.repeat(50));
    // What the API says about the wrong file, to find on the screen.
    const refused = await h.t.app.inject({ method: 'POST', url: '/api/v1/system/backups/upload', headers: { ...headers, 'content-type': 'application/gzip' }, payload: 'this is not a backup\n'.repeat(50) });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    const reason = refused.json<{ detail: string }>().detail;
    expect(reason.length).toBeGreaterThan(0);

    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await openSystem(page);
    await page.getByText('Upload a backup file').click();
    const fileInput = page.getByLabel('Backup file (.backup.gz) *');

    await fileInput.setInputFiles(wrong);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: reason }).waitFor({ timeout: 20_000 });
    expect((await backups()).filter((b) => b.kind === 'upload')).toEqual([]);

    await fileInput.setInputFiles(file);
    await page.getByLabel('Label for the upload (optional)').fill('e2e-uploaded');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(/^Uploaded and checked: backup /).waitFor({ timeout: 30_000 });
    const uploaded = (await backups()).find((b) => b.label === 'e2e-uploaded');
    expect(uploaded).toMatchObject({ kind: 'upload', total_rows: created.json.total_rows });
    const row = page.getByRole('row', { name: /e2e-uploaded/ });
    await row.getByText('upload', { exact: true }).waitFor();

    // Delete the source backup: a confirmation first; Cancel keeps it.
    await page.getByRole('button', { name: 'Delete e2e-source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete backup e2e-source?' });
    await dialog.getByText(created.json.id).waitFor();
    const a11y = await checkScreen(page, 'system-delete-backup');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await backups()).some((b) => b.id === created.json.id)).toBe(true);
    await page.getByRole('button', { name: 'Delete e2e-source' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete backup' }).click();
    await page.getByRole('row', { name: /e2e-source/ }).waitFor({ state: 'detached' });
    expect((await backups()).some((b) => b.id === created.json.id)).toBe(false);
    expect((await call('GET', `/system/backups/${created.json.id}`)).status).toBe(404);
    await page.getByRole('row', { name: /e2e-uploaded/ }).waitFor();

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('changes a user\'s role and disables them (who then cannot sign in), shows the password policy and the API\'s refusals, deletes a user', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await openSystem(page);

    // The victim can sign in before.
    expect((await h.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'e2e-victim', password: 'e2e-victim-password' } })).statusCode).toBe(200);

    await page.getByRole('button', { name: 'Edit e2e-victim' }).click();
    let dialog = page.getByRole('dialog', { name: 'Edit user e2e-victim' });
    await dialog.getByLabel('New password (optional)').fill('short');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    const a11y = await checkScreen(page, 'system-edit-user');
    await dialog.getByLabel('New password (optional)').fill('');
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByLabel(/^Disabled/).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: /e2e-victim\s+viewer\s+disabled/i }).waitFor();
    const victim = (await call<{ role: string; disabled: boolean }>('GET', '/users/e2e-victim')).json;
    expect(victim).toMatchObject({ role: 'viewer', disabled: true });

    // Disabled: signing in fails, in the browser too.
    const other = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signInPage = await other.newPage();
    await signInPage.goto(`${h.base}/`);
    await signInPage.getByLabel('Username').fill('e2e-victim');
    await signInPage.getByLabel('Password').fill('e2e-victim-password');
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await signInPage.getByText(/^Sign-in failed: /).waitFor();
    expect(await signInPage.getByRole('navigation').count()).toBe(0);
    await other.close();

    // Deleting oneself: the API refuses, and its reason is shown in the dialog.
    await page.getByRole('button', { name: 'Delete admin' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete user admin?' });
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'you cannot delete your own account' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await call('GET', '/users/admin')).status).toBe(200);

    await page.getByRole('button', { name: 'Delete e2e-victim' }).click();
    await page.getByRole('dialog', { name: 'Delete user e2e-victim?' }).getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('row', { name: /e2e-victim/ }).waitFor({ state: 'detached' });
    expect((await call('GET', '/users/e2e-victim')).status).toBe(404);

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
