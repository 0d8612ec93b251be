import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * The head-office console in Chromium: a wrong password, the owner's sign-in with a TOTP code computed from the demo
 * secret (as an authenticator app does), the team, the audit log showing those very events, sign-out; and a
 * manager's first sign-in, enrolling TOTP from the secret the page shows.
 */

const skip = browserMissing() ?? undefined;

describe('console sign-in journey in Chromium', { skip }, () => {
  let browser: Browser;
  let fixture: Awaited<ReturnType<typeof startConsoleCloud>>;

  before(async () => {
    fixture = await startConsoleCloud();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  test('owner: wrong password, then password + TOTP, team, audit log with those events, sign out', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, fixture.cloud.url);
    await ui.open('/console/audit');

    await ui.signIn(DEMO_USERS.owner.email, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();

    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));

    // Signed in on the page asked for: the audit log, newest first.
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.match(rows[0]!, /Signed in/);
    assert.match(rows[0]!, /owner@demo\.tapline\.test/);
    assert.match(rows[0]!, /password \+ totp/);
    assert.ok(rows.some((r) => /Failed sign-in attempt/.test(r) && /wrong password/.test(r)), rows.join('\n'));

    // The top bar: organisation, event, user.
    const topbar = page.locator('header.topbar');
    assert.match(await topbar.innerText(), /Demo Festivals[\s\S]*Riverside Festival[\s\S]*Olivia Owner/);

    await ui.goTo('Team');
    const team = await page.getByRole('table', { name: 'Team' }).innerText();
    for (const u of Object.values(DEMO_USERS)) assert.ok(team.includes(u.email), `${u.email} in the team`);

    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The old session is gone: reloading the page does not bring the console back.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  test('manager: first sign-in enrols TOTP from the key the page shows, then the console opens', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, fixture.cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.manager.email, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await ui.enterCode(totpCode(secret));
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await ui.goTo('Audit log');
    const first = await page.getByRole('table', { name: 'Audit log' }).locator('tbody tr').first().innerText();
    assert.match(first, /Signed in/);
    assert.match(first, /manager@demo\.tapline\.test/);
    assert.match(await page.getByRole('table', { name: 'Audit log' }).innerText(), /Turned on two-factor sign-in/);
    await context.close();
  });
});
