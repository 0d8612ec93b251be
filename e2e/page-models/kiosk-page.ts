import type { Locator } from 'playwright-core';
import { KioskChrome } from './kiosk-chrome.ts';

/**
 * The bartender's screens as a test sees them: every method does what a person would do with their finger and
 * waits for what a person would wait for, through the renderer's data-testid attributes. The NFC tap itself is
 * made by the test (a virtual tag on the vpcd reader) or with `manualTap`.
 */

export type Screen = 'starting' | 'pairing' | 'configuring' | 'stations' | 'login' | 'sell' | 'desk';

export interface ApprovedView {
  firstName: string;
  tabTotalText: string;
  /** The tab in minor units, read from the screen's data attribute. */
  tabTotal: number;
  amountText: string;
  seq: number;
  offline: boolean;
}

export interface DeclinedView {
  /** The reason as titled on screen, e.g. "Wristband blocked". */
  reason: string;
  /** The machine code: unknown_band, blocked, over_limit, offline_allowance, offline_terminal_total. */
  code: string;
  message: string;
}

export interface RecentRow {
  seq: number;
  status: 'pending' | 'acked' | 'rejected';
  voided: boolean;
  kind: 'sale' | 'void';
  text: string;
}

export interface BalanceView {
  name: string;
  tabText: string;
  tabTotal: number;
  status: 'active' | 'blocked' | 'unknown';
}

export class KioskPage extends KioskChrome {
  /** Opens the kiosk URL (with its token) and waits until the first state has been drawn. */
  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.app[data-setup]:not([data-setup="starting"])').waitFor({ timeout: this.timeoutMs });
  }

  async screen(): Promise<Screen> {
    const el = this.page.locator('[data-testid^="screen-"]').first();
    const id = (await el.getAttribute('data-testid', { timeout: this.timeoutMs })) ?? '';
    return id.replace('screen-', '') as Screen;
  }

  async waitForScreen(screen: Screen, timeoutMs = this.timeoutMs): Promise<void> {
    await this.byTestId(`screen-${screen}`).waitFor({ timeout: timeoutMs });
  }

  // ---------- pairing ----------

  /** Hub cards found on the LAN, as [name, url]. */
  async foundHubs(): Promise<Array<{ name: string; url: string }>> {
    const cards = this.page.locator('[data-testid^="hub-card-"]');
    const n = await cards.count();
    const out: Array<{ name: string; url: string }> = [];
    for (let i = 0; i < n; i++) {
      const c = cards.nth(i);
      out.push({ name: (await c.getAttribute('data-name')) ?? '', url: (await c.getAttribute('data-url')) ?? '' });
    }
    return out;
  }

  /**
   * Pairs with a hub: `hub` is a found hub's name (its card is chosen, waiting for mDNS to find it) or an address
   * (typed by hand). Resolves when the kiosk has left the pairing screen; throws with the screen's message if
   * the hub refused.
   */
  async pairWith(hub: string, code: string, terminalName?: string): Promise<void> {
    await this.waitForScreen('pairing');
    if (/^https?:\/\/|^[\d.]+:\d+$|^localhost:\d+$/i.test(hub)) {
      await this.byTestId('hub-manual').click();
      await this.byTestId('hub-address-input').fill(hub);
      await this.byTestId('hub-address-continue').click();
    } else {
      await this.page.locator(`[data-testid^="hub-card-"][data-name="${cssString(hub)}"]`).first().click({ timeout: this.timeoutMs });
    }
    if (terminalName !== undefined) await this.byTestId('terminal-name-input').fill(terminalName);
    await this.typeDigits('code-key', code);
    await this.byTestId('pair-submit').click();
    const error = this.byTestId('pair-error');
    const left = this.page.locator('.app:not([data-setup="unpaired"])');
    await left.or(error).first().waitFor({ timeout: this.timeoutMs });
    if (await error.isVisible()) throw new Error(`pairing refused: ${await error.innerText()}`);
  }

  // ---------- station and login ----------

  /** Chooses a bar station by its name (as the stations call names it); waits for the login screen. */
  async chooseStation(name: string, supervisorPin?: string): Promise<void> {
    await this.waitForScreen('stations');
    await this.page.locator(`[data-testid^="station-"][data-name="${cssString(name)}"]`).click({ timeout: this.timeoutMs });
    if (supervisorPin !== undefined) {
      await this.byTestId('supervisor-pin').waitFor({ timeout: this.timeoutMs });
      await this.typeDigits('supervisor-key', supervisorPin);
      await this.byTestId('supervisor-key-enter').click();
    }
    await this.page.locator('.app[data-setup="ready"]').waitFor({ timeout: this.timeoutMs });
  }

  /** Logs in and waits for the sell screen (the desk screen at a registration desk). */
  async login(pin: string): Promise<void> {
    const error = await this.tryLogin(pin);
    if (error) throw new Error(`login refused: ${error.message}`);
  }

  /** Types a PIN; resolves with the refusal shown ({code, message}) or null once the sell (or desk) screen is up. */
  async tryLogin(pin: string): Promise<{ code: string; message: string } | null> {
    await this.waitForScreen('login');
    const error = this.byTestId('login-error');
    // Each refusal bumps data-attempt, so a second identical message is still told apart from the first.
    const attempt = Number(await error.getAttribute('data-attempt'));
    await this.typeDigits('pin-key', pin);
    await this.byTestId('pin-key-enter').click();
    const sell = this.page.locator('[data-testid="screen-sell"], [data-testid="screen-desk"]');
    const refused = this.page.locator(`[data-testid="login-error"][data-attempt="${attempt + 1}"]`);
    await sell.or(refused).first().waitFor({ timeout: this.timeoutMs });
    if (await sell.isVisible()) return null;
    return { code: (await refused.getAttribute('data-code')) ?? '', message: (await refused.innerText()).trim() };
  }

  async logout(): Promise<void> {
    await this.byTestId('logout-button').click();
    await this.waitForScreen('login');
  }

  // ---------- selling ----------

  /** Adds a product by its name (switching category tab if it is not on screen), `qty` times. */
  async addToCart(productName: string, qty = 1): Promise<void> {
    const product = this.page.locator(`[data-testid^="product-"][data-name="${cssString(productName)}"]`);
    if (!(await product.isVisible())) {
      await this.byTestId('category-all').click();
      await product.waitFor({ timeout: this.timeoutMs });
    }
    const id = ((await product.getAttribute('data-testid')) ?? '').replace(/^product-/, '');
    const line = this.byTestId(`cart-line-${id}`);
    const before = (await line.count()) ? Number(await line.getAttribute('data-quantity')) : 0;
    for (let i = 0; i < qty; i++) await product.click();
    await this.page.locator(`[data-testid="cart-line-${id}"][data-quantity="${before + qty}"]`).waitFor({ timeout: this.timeoutMs });
  }

  /** Sets a cart line's quantity with the − and + buttons. */
  async setQuantity(productName: string, qty: number): Promise<void> {
    const line = this.page.locator(`[data-testid^="cart-line-"][data-name="${cssString(productName)}"]`);
    const id = ((await line.getAttribute('data-testid', { timeout: this.timeoutMs })) ?? '').replace(/^cart-line-/, '');
    let current = Number(await line.getAttribute('data-quantity'));
    while (current !== qty) {
      await this.byTestId(current < qty ? `cart-inc-${id}` : `cart-dec-${id}`).click();
      current += current < qty ? 1 : -1;
      if (current === 0) return;
      await this.page.locator(`[data-testid="cart-line-${id}"][data-quantity="${current}"]`).waitFor({ timeout: this.timeoutMs });
    }
  }

  async removeFromCart(productName: string): Promise<void> {
    const line = this.page.locator(`[data-testid^="cart-line-"][data-name="${cssString(productName)}"]`);
    const id = ((await line.getAttribute('data-testid', { timeout: this.timeoutMs })) ?? '').replace(/^cart-line-/, '');
    await this.byTestId(`cart-remove-${id}`).click();
    await line.waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  async cartLines(): Promise<Array<{ name: string; quantity: number }>> {
    const lines = this.page.locator('[data-testid^="cart-line-"]');
    const out: Array<{ name: string; quantity: number }> = [];
    for (let i = 0; i < (await lines.count()); i++) {
      out.push({ name: (await lines.nth(i).getAttribute('data-name')) ?? '', quantity: Number(await lines.nth(i).getAttribute('data-quantity')) });
    }
    return out;
  }

  async cartTotalText(): Promise<string> {
    return (await this.byTestId('cart-total').innerText()).trim();
  }

  /** The cart total in minor units. */
  async cartTotal(): Promise<number> {
    return Number(await this.byTestId('cart-total').getAttribute('data-amount'));
  }

  /** Presses "Tap wristband" and resolves when the kiosk is waiting for a band. */
  async tapWristband(): Promise<void> {
    await this.byTestId('tap-button').click();
    await this.page.locator('[data-testid="tap-overlay"][data-phase="awaiting"]').waitFor({ timeout: this.timeoutMs });
  }

  async cancelTap(): Promise<void> {
    await this.byTestId('tap-cancel').click();
    await this.byTestId('tap-overlay').waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /**
   * While the kiosk waits for a band: a supervisor enters the band number by hand (broken reader). The sale then
   * goes on as after a real tap: follow with expectApproved / expectDeclined.
   */
  async manualTap(supervisorPin: string, bandNumber: string): Promise<void> {
    const dialog = this.byTestId('supervisor-pin');
    if (!(await dialog.isVisible())) {
      await this.byTestId('manual-entry').click();
      await dialog.waitFor({ timeout: this.timeoutMs });
    }
    await this.typeDigits('supervisor-key', supervisorPin);
    await this.byTestId('supervisor-key-enter').click();
    await this.byTestId('manual-band').waitFor({ timeout: this.timeoutMs });
    for (const ch of bandNumber.toUpperCase()) await this.byTestId(`band-key-${ch}`).click();
    await this.byTestId('band-key-enter').click();
    const done = this.page.locator('[data-testid="result-approved"], [data-testid="result-declined"], [data-testid="tap-overlay"][data-phase="processing"]');
    const refused = this.page.locator('[data-testid="band-error"].is-error, [data-testid="supervisor-error"].is-error, [data-testid="tap-error"]');
    await done.or(refused).first().waitFor({ timeout: this.timeoutMs });
    if (!(await done.count()) && (await refused.count())) throw new Error(`manual entry refused: ${(await refused.first().innerText()).trim()}`);
  }

  async expectApproved(): Promise<ApprovedView> {
    // Read in the page, all at once, the moment a result is up: the approved screen closes by itself after 3 s, which
    // one round trip per field could outlast on a busy machine. (A string: e2e is checked without the DOM library.)
    // Waited for by a locator, then read by one evaluate: a polled string predicate (waitForFunction) needs
    // 'unsafe-eval', which the kiosk page's CSP refuses.
    await this.page
      .locator('[data-testid="result-approved"], [data-testid="result-declined"], [data-testid="tap-error"]')
      .first()
      .waitFor({ timeout: this.timeoutMs });
    const v = (await this.page.evaluate(
      `(() => {
        const screen = document.querySelector('[data-testid="result-approved"], [data-testid="result-declined"], [data-testid="tap-error"]');
        if (!screen) return { approved: false, seen: 'the result screen closed before it could be read' };
        const text = (el) => (el ? el.innerText : '');
        if (screen.getAttribute('data-testid') !== 'result-approved') return { approved: false, seen: text(screen) };
        const part = (id) => screen.querySelector('[data-testid="' + id + '"]');
        return {
          approved: true,
          firstName: text(part('result-name')),
          tabText: text(part('result-tab-total')),
          tabAmount: part('result-tab-total')?.getAttribute('data-amount') ?? '',
          amountText: text(part('result-amount')),
          seq: screen.getAttribute('data-order-seq'),
          offline: screen.getAttribute('data-offline'),
        };
      })()`,
    )) as
      | { approved: false; seen: string }
      | { approved: true; firstName: string; tabText: string; tabAmount: string; amountText: string; seq: string | null; offline: string | null };
    if (!v.approved) throw new Error(`expected the approved screen, saw: ${v.seen.replace(/\s+/g, ' ').trim()}`);
    return {
      firstName: v.firstName.trim(),
      tabTotalText: v.tabText.replace(/^Tab now\s*/i, '').trim(),
      tabTotal: Number(v.tabAmount),
      amountText: v.amountText.trim(),
      seq: Number(v.seq),
      offline: v.offline === 'true',
    };
  }

  async expectDeclined(): Promise<DeclinedView> {
    const screen = this.byTestId('result-declined');
    await this.waitForResult(screen, 'declined');
    return {
      reason: (await this.byTestId('decline-reason').innerText()).trim(),
      code: (await screen.getAttribute('data-reason')) ?? '',
      message: (await this.byTestId('decline-message').innerText()).trim(),
    };
  }

  /** Leaves the approved screen at once (it also goes by itself after ~3 s). */
  async dismissApproved(): Promise<void> {
    const screen = this.byTestId('result-approved');
    if (await screen.isVisible()) await screen.click();
    await screen.waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /** On the declined screen: wait for another tap with the same order. */
  async tryAgain(): Promise<void> {
    await this.byTestId('result-try-again').click();
    await this.page.locator('[data-testid="tap-overlay"][data-phase="awaiting"]').waitFor({ timeout: this.timeoutMs });
  }

  /** On the declined screen: back to the order, which is kept. */
  async backToOrder(): Promise<void> {
    await this.byTestId('result-back').click();
    await this.byTestId('result-declined').waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /** After a tap while no sale waited for one: the balance check panel. */
  async expectBalance(): Promise<BalanceView> {
    const panel = this.page.locator('[data-testid="balance-panel"]:not([data-status="loading"])');
    await panel.waitFor({ timeout: this.timeoutMs });
    return {
      name: (await this.byTestId('balance-name').innerText()).trim(),
      tabText: (await this.byTestId('balance-tab').innerText()).trim(),
      tabTotal: Number(await this.byTestId('balance-tab').getAttribute('data-amount')),
      status: (await panel.getAttribute('data-status')) as BalanceView['status'],
    };
  }

  // ---------- recent orders and voids ----------

  async openRecent(): Promise<RecentRow[]> {
    if (!(await this.byTestId('recent-orders').isVisible())) await this.byTestId('recent-button').click();
    await this.page.locator('[data-testid="recent-orders"] :is(.order-list, .empty-list)').first().waitFor({ timeout: this.timeoutMs });
    return this.recentRows();
  }

  async recentRows(): Promise<RecentRow[]> {
    const rows = this.page.locator('[data-testid^="order-row-"]');
    const out: RecentRow[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const r = rows.nth(i);
      out.push({
        seq: Number(((await r.getAttribute('data-testid')) ?? '').replace('order-row-', '')),
        status: (await r.getAttribute('data-status')) as RecentRow['status'],
        voided: (await r.getAttribute('data-voided')) === 'true',
        kind: (await r.getAttribute('data-kind')) as RecentRow['kind'],
        text: (await r.innerText()).replace(/\s+/g, ' ').trim(),
      });
    }
    return out;
  }

  async closeRecent(): Promise<void> {
    await this.byTestId('recent-close').click();
    await this.byTestId('recent-orders').waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /**
   * Voids order `seq` from Recent orders with a supervisor's PIN. `reason` is one of the quick choices if it
   * matches one, else typed. Resolves with the notice shown ("Order #3 voided. … tab is now €…").
   */
  async voidOrder(seq: number, supervisorPin: string, reason: string): Promise<string> {
    await this.openRecent();
    await this.byTestId(`void-${seq}`).click();
    await this.byTestId('void-reason').waitFor({ timeout: this.timeoutMs });
    const chip = this.page.locator(`[data-testid^="void-reason-"][data-reason="${cssString(reason)}"]`);
    if (await chip.count()) await chip.click();
    else await this.byTestId('void-reason-text').fill(reason);
    await this.byTestId('void-continue').click();
    await this.byTestId('supervisor-pin').waitFor({ timeout: this.timeoutMs });
    await this.typeDigits('supervisor-key', supervisorPin);
    await this.byTestId('supervisor-key-enter').click();
    const notice = this.byTestId('void-notice');
    const refused = this.page.locator('[data-testid="supervisor-error"].is-error, [data-testid="void-error"]');
    await notice.or(refused).first().waitFor({ timeout: this.timeoutMs });
    if (!(await notice.isVisible())) throw new Error(`void refused: ${(await refused.first().innerText()).trim()}`);
    return (await notice.innerText()).trim();
  }

  private async waitForResult(expected: Locator, what: string): Promise<void> {
    const any = this.page.locator('[data-testid="result-approved"], [data-testid="result-declined"], [data-testid="tap-error"]');
    await any.first().waitFor({ timeout: this.timeoutMs });
    if (!(await expected.isVisible())) {
      const seen = (await any.first().innerText()).replace(/\s+/g, ' ').trim();
      throw new Error(`expected the ${what} screen, saw: ${seen}`);
    }
  }
}

/** A value for a CSS attribute selector in double quotes. */
export function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
