import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { ConsolePage } from '../console/console-page.ts';

/**
 * Head office at the console (Chromium), as the kiosk tests and screenshots need it: the demo owner signed in once
 * (a TOTP code counts once per 30 s step, so one session serves every revoke and restore), then Devices.
 */
export class HeadOffice {
  private constructor(
    private readonly context: BrowserContext,
    private readonly page: Page,
  ) {}

  static async signIn(browser: Browser, cloudUrl: string): Promise<HeadOffice> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloudUrl);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await ui.goTo('Devices');
    return new HeadOffice(context, page);
  }

  /** Revokes the terminal on Devices with a reason; resolves once the console lists it as revoked. */
  async revokeTerminal(terminalId: string, reason: string): Promise<void> {
    const row = await this.row(terminalId);
    await row.getByRole('button', { name: `Revoke terminal ${terminalId}` }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Revoke this terminal?' });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
    await dialog.getByRole('button', { name: 'Revoke terminal' }).click();
    await row.getByText('Revoked').waitFor();
  }

  /** Restores it; resolves once the console lists it as active. */
  async restoreTerminal(terminalId: string): Promise<void> {
    const row = await this.row(terminalId);
    await row.getByRole('button', { name: `Restore terminal ${terminalId}` }).click();
    await row.getByText('Active').waitFor();
  }

  close(): Promise<void> {
    return this.context.close();
  }

  /** The terminal's row (the console learns terminals from their orders: one must have reached the cloud). */
  private async row(terminalId: string) {
    const row = this.page.getByRole('table', { name: 'Terminals' }).getByRole('row', { name: new RegExp(terminalId) });
    await row.waitFor();
    return row;
  }
}
