import type { Page } from 'playwright-core';

/** The console in Chromium, driven the way a person does: by labels and button names. */
export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(path = '/console/'): Promise<void> {
    await this.page.goto(this.baseUrl + path);
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('E-mail').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async enterCode(code: string, button = 'Verify and sign in'): Promise<void> {
    await this.page.getByLabel('6-digit code').fill(code);
    await this.page.getByRole('button', { name: button }).click();
  }

  async goTo(navLabel: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: navLabel }).click();
    await this.page.getByRole('heading', { level: 1, name: navLabel }).waitFor();
  }

  async settle(): Promise<void> {
    // Two frames: laid out and painted. (A string: e2e is checked without the DOM library.)
    await this.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  }
}
