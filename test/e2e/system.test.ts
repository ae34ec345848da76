import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

interface Settings { runtime: { key: string; value: unknown }[] }
interface BackupList { items: { id: string; label: string | null }[] }

/**
 * The console's System screen in a real browser against the real platform: a runtime setting changed
 * (and a bad value refused with the API's reason), a backup created and restored behind a typed
 * confirmation, a user added with a role; axe in both themes.
 */
describe.skipIf(!needs('chromium'))('web console: System (Chromium)', () => {
  let h: ConsoleHarness;

  beforeAll(async () => {
    h = await startConsole();
    await h.t.ctx.users.create({ username: 'e2e-ops', password: 'e2e-ops-password', role: 'operator' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function api<T>(url: string): Promise<T> {
    const res = await h.t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: await h.t.login() });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  }
  const setting = async (key: string) => (await api<Settings>('/system/config')).runtime.find((s) => s.key === key)?.value;

  async function saveSetting(page: Page, key: string, value: string): Promise<void> {
    const row = page.getByRole('row', { name: new RegExp(key.replace('.', '\\.')) });
    await row.getByLabel(key, { exact: true }).fill(value);
    await row.getByRole('button', { name: 'Save' }).click();
  }

  it('an admin changes a runtime setting, creates a backup and restores it after typing its id, and adds a user with a role', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Runtime settings' }).waitFor();
    await page.getByRole('heading', { name: 'Settings that need a restart' }).waitFor();

    // A bad value: the API's reason is shown and nothing changes.
    await saveSetting(page, 'mcp.timeout_seconds', '0');
    await page.getByRole('alert').filter({ hasText: 'mcp.timeout_seconds' }).waitFor();
    const timeout = await setting('mcp.timeout_seconds');
    expect(timeout).not.toBe(0);

    await saveSetting(page, 'mcp.max_retries', '7');
    await page.getByRole('row', { name: /mcp\.max_retries/ }).getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await setting('mcp.max_retries')).toBe(7);

    // A backup with the setting at 7, then a change after it that the restore takes back.
    await page.getByLabel('Label (optional)').fill('e2e-before');
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByText(/^Created backup /).waitFor({ timeout: 20_000 });
    const backup = (await api<BackupList>('/system/backups')).items.find((b) => b.label === 'e2e-before')!;
    expect(backup).toBeDefined();
    await saveSetting(page, 'mcp.max_retries', '9');
    await expect.poll(() => setting('mcp.max_retries')).toBe(9);

    await page.getByRole('button', { name: 'Verify e2e-before' }).click();
    await page.getByText('Verified: the file matches its manifest.').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Restore e2e-before' }).click();
    const confirm = page.getByRole('button', { name: 'Restore all data' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(`Type ${backup.id} to confirm`).fill('not the id');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(`Type ${backup.id} to confirm`).fill(backup.id);
    await confirm.click();
    await page.getByText(`Restored backup ${backup.id}.`).waitFor({ timeout: 30_000 });
    expect(await setting('mcp.max_retries')).toBe(7);
    await expect.poll(() => page.getByLabel('mcp.max_retries', { exact: true }).inputValue()).toBe('7');

    // A user with a role.
    await page.getByText('Add a user').click();
    await page.getByLabel('Username *').fill('e2e-operator');
    await page.getByLabel('Password *').fill('e2e-operator-password');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('row', { name: /e2e-operator\s+operator/ }).waitFor();
    expect((await api<{ role: string }>('/users/e2e-operator')).role).toBe('operator');

    const a11y = await checkScreen(page, 'system');
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('an operator reads the settings and backups but gets no write controls and no users', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, 'e2e-ops', 'e2e-ops-password');
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('cell', { name: /mcp\.max_retries/ }).first().waitFor();
    await page.getByRole('heading', { name: 'Backups' }).waitFor();
    // The backups of the test above are listed, and operators may verify them.
    await page.getByRole('button', { name: /^Verify / }).first().waitFor();
    expect(await page.getByRole('button', { name: /^(Save|Back up now|Restore)/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Users and roles' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);
});
