import type { Locator, Page } from 'playwright-core';

/*
 * What every kiosk screen shares, as a test sees it: the status bar (hub, cloud, reader, orders waiting), the offline
 * banner, the full-screen "switched off by head office", the bounce hint, the keypad, and the page's own bridge to
 * the kiosk process. The bar's screens (kiosk-page.ts) and the desk's (desk-page.ts) build on it.
 */

export type HubLink = 'connected' | 'offline';
export type CloudLink = 'online' | 'offline' | 'unknown';
export type ReaderStatus = 'starting' | 'no_service' | 'no_reader' | 'ready';

/** The "switched off by head office" screen (the terminal is revoked). */
export interface RevokedView {
  terminalId: string;
  /** The hub's sentence, with head office's reason. */
  message: string;
  /** Orders made here and not yet sent, as the screen counts them. */
  pending: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export class KioskChrome {
  constructor(
    readonly page: Page,
    readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  // ---------- status ----------

  async hubStatus(): Promise<HubLink> {
    return (await this.byTestId('status-hub').getAttribute('data-state', { timeout: this.timeoutMs })) as HubLink;
  }

  async cloudStatus(): Promise<CloudLink> {
    return (await this.byTestId('status-cloud').getAttribute('data-state', { timeout: this.timeoutMs })) as CloudLink;
  }

  async readerStatus(): Promise<ReaderStatus> {
    return (await this.byTestId('status-reader').getAttribute('data-state', { timeout: this.timeoutMs })) as ReaderStatus;
  }

  /** Orders not yet acknowledged by the hub, as the status bar shows. */
  async pendingCount(): Promise<number> {
    return Number(await this.byTestId('status-pending').getAttribute('data-count', { timeout: this.timeoutMs }));
  }

  async waitForHubStatus(status: HubLink, timeoutMs = this.timeoutMs): Promise<void> {
    await this.page.locator(`[data-testid="status-hub"][data-state="${status}"]`).waitFor({ timeout: timeoutMs });
  }

  async waitForPendingCount(n: number, timeoutMs = this.timeoutMs): Promise<void> {
    await this.page.locator(`[data-testid="status-pending"][data-count="${n}"]`).waitFor({ timeout: timeoutMs });
  }

  /**
   * Until something waits for the hub. The count comes with the kiosk's next state event, a moment after the call
   * that made the order has answered: read it only once it has moved.
   */
  async waitForSomePending(timeoutMs = this.timeoutMs): Promise<number> {
    const chip = this.page.locator('[data-testid="status-pending"]:not([data-count="0"])');
    return Number(await chip.getAttribute('data-count', { timeout: timeoutMs }));
  }

  async waitForReaderStatus(status: ReaderStatus, timeoutMs = this.timeoutMs): Promise<void> {
    await this.page.locator(`[data-testid="status-reader"][data-state="${status}"]`).waitFor({ timeout: timeoutMs });
  }

  /** The offline banner's text, or null when the kiosk is not selling offline. */
  async offlineBanner(): Promise<string | null> {
    const banner = this.byTestId('offline-banner');
    return (await banner.isVisible()) ? (await banner.innerText()).replace(/\s+/g, ' ').trim() : null;
  }

  async waitForOfflineBanner(visible = true, timeoutMs = this.timeoutMs): Promise<void> {
    await this.byTestId('offline-banner').waitFor({ state: visible ? 'visible' : 'detached', timeout: timeoutMs });
  }

  /** "Kiosk process not responding" is up (the event stream has been down for more than 3 s). */
  async kioskUnresponsive(): Promise<boolean> {
    return this.byTestId('kiosk-unresponsive').isVisible();
  }

  // ---------- switched off by head office ----------

  /** Waits for the full-screen "switched off by head office" and reads it. */
  async expectRevoked(timeoutMs = this.timeoutMs): Promise<RevokedView> {
    const screen = this.byTestId('screen-revoked');
    await screen.waitFor({ timeout: timeoutMs });
    return {
      terminalId: (await this.byTestId('revoked-terminal-id').innerText()).trim(),
      message: (await this.byTestId('revoked-message').innerText()).replace(/\s+/g, ' ').trim(),
      pending: Number(await this.byTestId('revoked-pending').getAttribute('data-count')),
    };
  }

  /** Waits until the screen has gone (head office switched the terminal back on). */
  async waitForRevokedGone(timeoutMs = this.timeoutMs): Promise<void> {
    await this.byTestId('screen-revoked').waitFor({ state: 'detached', timeout: timeoutMs });
  }

  /**
   * Calls the kiosk process as the page's own bridge does (loopback HTTP with the page's token), whatever the screen
   * offers: how a test shows a refusal no button leads to. Resolves with the HTTP status and the JSON answer.
   */
  async callKiosk(method: string, args: unknown): Promise<{ status: number; body: unknown }> {
    // A string: e2e is checked without the DOM library.
    return (await this.page.evaluate(`(async () => {
      const token = new URLSearchParams(location.search).get('token') ?? '';
      const res = await fetch('/api/call/' + ${JSON.stringify(method)}, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kiosk-token': token },
        body: ${JSON.stringify(JSON.stringify(args))},
      });
      return { status: res.status, body: await res.json() };
    })()`)) as { status: number; body: unknown };
  }

  /** The bounce hint on the tap overlay ("Band already read…"), or null when none shows. */
  async bounceHint(): Promise<string | null> {
    const hint = this.byTestId('tap-bounce-hint');
    return (await hint.isVisible()) ? (await hint.innerText()).trim() : null;
  }

  async waitForBounceHint(timeoutMs = this.timeoutMs): Promise<string> {
    const hint = this.byTestId('tap-bounce-hint');
    await hint.waitFor({ timeout: timeoutMs });
    return (await hint.innerText()).trim();
  }

  // ---------- helpers ----------

  /** Presses keypad keys one by one, as a finger would. */
  async typeDigits(prefix: string, digits: string): Promise<void> {
    for (const d of digits) await this.byTestId(`${prefix}-${d}`).click();
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  }
}
