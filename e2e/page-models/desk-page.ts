import { cssString, KioskPage } from './kiosk-page.ts';

/**
 * The registration desk's screens as a test sees them (the kiosk set up at a registration station): search, the
 * attendee, walk-up sign-up, pairing by a tap, blocking. As in KioskPage, every method does what the desk person
 * would do and waits for what they would wait for; the tap itself is the test's (a virtual tag on vpcd).
 */

export interface ResultRowView {
  id: string;
  name: string;
  code: string;
  card: string;
  bands: number;
  text: string;
}

export interface AttendeeScreenView {
  id: string;
  name: string;
  card: string;
  needsBand: boolean;
  /** The QR code's address, when one is shown (no card yet). */
  cardQrUrl: string | null;
  /** The no-card allowance in minor units, when the note is shown. */
  noCardAllowance: number | null;
  bands: Array<{ uid: string; status: string }>;
}

export interface PairedView {
  name: string;
  bandUid: string;
  attendeeId: string;
  text: string;
}

export type SearchOutcome = { kind: 'results'; rows: ResultRowView[] } | { kind: 'attendee'; attendee: AttendeeScreenView } | { kind: 'hub_unreachable'; text: string };

export class DeskPage extends KioskPage {
  async waitForDesk(view?: 'find' | 'attendee' | 'signup' | 'paired'): Promise<void> {
    await this.page.locator(view ? `[data-testid="screen-desk"][data-view="${view}"]` : '[data-testid="screen-desk"]').waitFor({ timeout: this.timeoutMs });
  }

  /** Back to the find screen from wherever the desk is. */
  async toFind(): Promise<void> {
    const paired = this.byTestId('desk-paired');
    if (await paired.isVisible()) await paired.click();
    for (const back of ['desk-back', 'signup-cancel']) {
      const b = this.byTestId(back);
      if (await b.isVisible()) await b.click();
    }
    await this.waitForDesk('find');
  }

  /**
   * Types into the search field as a keyboard (or a QR scanner) would and presses Enter. Resolves with what came
   * up: result rows, an attendee opened at once (an exact confirmation code), or the hub-unreachable message.
   */
  async search(query: string): Promise<SearchOutcome> {
    await this.toFind();
    const input = this.byTestId('desk-search-input');
    await input.fill('');
    await input.pressSequentially(query);
    await input.press('Enter');
    return this.searchOutcome(query.trim());
  }

  /**
   * A USB QR scanner reading a confirmation: a keyboard that types the code and Enter into whatever has focus (here
   * nothing: the search field was left). Resolves as `search` does.
   */
  async scan(code: string): Promise<SearchOutcome> {
    await this.toFind();
    await this.byTestId('desk-search-input').fill('');
    await this.page.evaluate('document.activeElement && document.activeElement.blur()');
    await this.page.keyboard.type(code);
    await this.page.keyboard.press('Enter');
    return this.searchOutcome(code.trim());
  }

  /** What the search for `query` (not an earlier one still on screen) came to. */
  private async searchOutcome(query: string): Promise<SearchOutcome> {
    const q = cssString(query);
    const results = this.page.locator(`[data-testid="desk-results"][data-state="done"][data-query="${q}"]`);
    const attendee = this.page.locator('[data-testid="screen-desk"][data-view="attendee"]');
    const failed = this.page.locator(`[data-testid="desk-results"][data-state="error"][data-query="${q}"]`);
    await results.or(attendee).or(failed).first().waitFor({ timeout: this.timeoutMs });
    if (await attendee.isVisible()) return { kind: 'attendee', attendee: await this.attendee() };
    if (await failed.isVisible()) {
      const banner = this.byTestId('desk-hub-unreachable');
      if (!(await banner.isVisible())) throw new Error(`search refused: ${(await this.byTestId('desk-search-error').innerText()).trim()}`);
      return { kind: 'hub_unreachable', text: (await banner.innerText()).replace(/\s+/g, ' ').trim() };
    }
    return { kind: 'results', rows: await this.resultRows() };
  }

  async resultRows(): Promise<ResultRowView[]> {
    const rows = this.page.locator('[data-testid^="desk-result-"]');
    const out: ResultRowView[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const r = rows.nth(i);
      out.push({
        id: ((await r.getAttribute('data-testid')) ?? '').replace(/^desk-result-/, ''),
        name: (await r.getAttribute('data-name')) ?? '',
        code: (await r.getAttribute('data-code')) ?? '',
        card: (await r.getAttribute('data-card')) ?? '',
        bands: Number(await r.getAttribute('data-bands')),
        text: (await r.innerText()).replace(/\s+/g, ' ').trim(),
      });
    }
    return out;
  }

  async openResult(attendeeId: string): Promise<AttendeeScreenView> {
    await this.byTestId(`desk-result-${attendeeId}`).click();
    return this.attendee();
  }

  /** The attendee on screen, once their full details (card QR code included) have arrived. */
  async attendee(): Promise<AttendeeScreenView> {
    const root = this.byTestId('desk-attendee');
    await root.waitFor({ timeout: this.timeoutMs });
    const card = (await root.getAttribute('data-card')) ?? '';
    const qr = this.byTestId('desk-card-qr');
    if (card !== 'ready') {
      // The QR code comes with the full view, a moment after the row's data: wait for it when a link exists.
      await this.page.locator('[data-testid="desk-card"] .muted:not(:has-text("Loading the card link"))').first().waitFor({ timeout: this.timeoutMs });
    }
    const note = this.byTestId('desk-no-card-note');
    const rows = this.page.locator('[data-testid^="desk-band-"]');
    const bands: Array<{ uid: string; status: string }> = [];
    for (let i = 0; i < (await rows.count()); i++) {
      bands.push({ uid: ((await rows.nth(i).getAttribute('data-testid')) ?? '').replace(/^desk-band-/, ''), status: (await rows.nth(i).getAttribute('data-status')) ?? '' });
    }
    return {
      id: (await root.getAttribute('data-id')) ?? '',
      name: (await this.byTestId('desk-attendee-name').innerText()).trim(),
      card,
      needsBand: (await root.getAttribute('data-needs-band')) === 'true',
      cardQrUrl: (await qr.count()) ? await qr.getAttribute('data-url') : null,
      noCardAllowance: (await note.count()) ? Number(await note.getAttribute('data-allowance')) : null,
      bands,
    };
  }

  /** Resolves when the attendee screen waits for a band (after opening, signing up, or blocking a lost band). */
  async waitForPairing(replaces: string | null = null): Promise<void> {
    const sel = `[data-testid="desk-pair-panel"]${replaces ? `[data-replaces="${replaces}"]` : ''}:not([data-state="busy"])`;
    await this.page.locator(sel).waitFor({ timeout: this.timeoutMs });
  }

  /**
   * On the attendee screen: `tapBand` taps a band (the test's virtual tag); resolves with the paired screen, or with
   * the refusal shown for this tap (not one shown for an earlier tap).
   */
  async tapToPair(tapBand: () => Promise<void>): Promise<{ paired: PairedView; refused: null } | { paired: null; refused: { reason: string; text: string } }> {
    const root = this.byTestId('desk-attendee');
    const attempt = Number(await root.getAttribute('data-attempt', { timeout: this.timeoutMs }));
    await tapBand();
    const paired = this.byTestId('desk-paired');
    const answered = this.page.locator(`[data-testid="desk-attendee"][data-attempt="${attempt + 1}"]`);
    await paired.or(answered).first().waitFor({ timeout: this.timeoutMs });
    if (await paired.isVisible()) {
      return {
        paired: {
          name: (await this.byTestId('desk-paired-name').innerText()).trim(),
          bandUid: (await paired.getAttribute('data-band')) ?? '',
          attendeeId: (await paired.getAttribute('data-attendee')) ?? '',
          text: (await paired.innerText()).replace(/\s+/g, ' ').trim(),
        },
        refused: null,
      };
    }
    const refused = this.byTestId('desk-pair-error');
    return { paired: null, refused: { reason: (await refused.getAttribute('data-reason')) ?? '', text: (await refused.innerText()).replace(/\s+/g, ' ').trim() } };
  }

  /** Without a reader: a supervisor enters the band number on the pairing panel (follow with nothing: it pairs as a tap). */
  async enterBandNumber(supervisorPin: string, bandNumber: string): Promise<void> {
    await this.byTestId('manual-entry').click();
    await this.byTestId('supervisor-pin').waitFor({ timeout: this.timeoutMs });
    await this.typeDigits('supervisor-key', supervisorPin);
    await this.byTestId('supervisor-key-enter').click();
    await this.byTestId('manual-band').waitFor({ timeout: this.timeoutMs });
    for (const ch of bandNumber.toUpperCase()) await this.byTestId(`band-key-${ch}`).click();
    await this.byTestId('band-key-enter').click();
    await this.byTestId('manual-band').waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /** `tapToPair` that must pair. */
  async pairByTap(tapBand: () => Promise<void>): Promise<PairedView> {
    const r = await this.tapToPair(tapBand);
    if (!r.paired) throw new Error(`pairing refused: ${r.refused.text}`);
    return r.paired;
  }

  /** Fills the walk-up form and submits it; resolves with the field errors shown, or {} once the band is awaited. */
  async signUp(o: { firstName: string; lastName?: string; phone?: string; email?: string; smsConsent?: boolean }): Promise<Record<string, string>> {
    if (!(await this.byTestId('desk-signup').isVisible())) {
      await this.toFind();
      await this.byTestId('desk-walkup-button').click();
      await this.byTestId('desk-signup').waitFor({ timeout: this.timeoutMs });
    }
    for (const key of ['firstName', 'lastName', 'phone', 'email'] as const) {
      await this.byTestId(`signup-${key}`).fill(o[key] ?? '');
    }
    const sms = this.byTestId('signup-sms');
    if (((await sms.getAttribute('data-checked')) === 'true') !== Boolean(o.smsConsent)) await sms.click();
    await this.byTestId('signup-submit').click();
    const errors = this.page.locator('[data-testid^="signup-error-"]');
    const pairing = this.byTestId('desk-pair-panel');
    await errors.first().or(pairing).first().waitFor({ timeout: this.timeoutMs });
    if (await pairing.isVisible()) return {};
    const out: Record<string, string> = {};
    for (let i = 0; i < (await errors.count()); i++) {
      out[((await errors.nth(i).getAttribute('data-testid')) ?? '').replace(/^signup-error-/, '')] = (await errors.nth(i).innerText()).trim();
    }
    return out;
  }

  /** On the attendee screen: "Lost or stolen" for a band, a reason, confirm. Resolves once the new band is awaited. */
  async blockLostBand(bandUid: string, reason: 'lost' | 'stolen' | 'other', otherText?: string): Promise<void> {
    await this.byTestId(`desk-lost-${bandUid}`).click();
    await this.confirmBlock(reason, otherText);
    await this.waitForPairing(bandUid);
  }

  /** Block a found band: the find screen's button, then the test taps the band; resolves with what the desk shows. */
  async startFoundBand(): Promise<void> {
    await this.toFind();
    await this.byTestId('desk-found-band-button').click();
    await this.page.locator('[data-testid="desk-found-band"] .desk-found[data-state="waiting"]').waitFor({ timeout: this.timeoutMs });
  }

  /** After a tap on the find screen (or in "block a found band"): whose band it is. */
  async foundBand(): Promise<{ uid: string; status: string; owner: string }> {
    const band = this.byTestId('found-band');
    await band.waitFor({ timeout: this.timeoutMs });
    return {
      uid: (await band.getAttribute('data-uid')) ?? '',
      status: (await band.getAttribute('data-status')) ?? '',
      owner: (await this.byTestId('found-band-owner').innerText()).trim(),
    };
  }

  async blockFoundBand(reason: 'lost' | 'stolen' | 'other', otherText?: string): Promise<string> {
    await this.byTestId('found-band-block').click();
    await this.confirmBlock(reason, otherText);
    const done = this.byTestId('found-band-blocked');
    await done.waitFor({ timeout: this.timeoutMs });
    const text = (await done.innerText()).replace(/\s+/g, ' ').trim();
    await this.byTestId('found-band-done').click();
    return text;
  }

  async hubUnreachableShown(): Promise<boolean> {
    return this.byTestId('desk-hub-unreachable').isVisible();
  }

  private async confirmBlock(reason: 'lost' | 'stolen' | 'other', otherText?: string): Promise<void> {
    await this.byTestId('desk-block').waitFor({ timeout: this.timeoutMs });
    await this.byTestId(`block-reason-${reason}`).click();
    if (reason === 'other') await this.byTestId('block-reason-text').fill(otherText ?? 'Other');
    await this.byTestId('block-confirm').click();
    const error = this.byTestId('block-error');
    const gone = this.byTestId('desk-block')
      .waitFor({ state: 'detached', timeout: this.timeoutMs })
      .then(() => null)
      .catch(() => null);
    const refused = error
      .waitFor({ timeout: this.timeoutMs })
      .then(async () => (await error.innerText()).trim())
      .catch(() => null);
    const why = await Promise.race([gone, refused]);
    if (why) throw new Error(`block refused: ${why}`);
  }
}
