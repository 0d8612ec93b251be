import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/http-error.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { TabLinks } from '../services/tab-links.ts';
import { html, sendPage } from './layout.ts';
import { loadTabPage, type TabPageData } from './tab-page-data.ts';
import { RECEIPT_CSS, receiptBody } from './tab-page-receipt.ts';
import { setAttendeeTip, tipFromForm } from './tab-page-tip.ts';
import { TAB_PAGE_CSS, tabPageBody } from './tab-page-view.ts';

/**
 * The attendee's tab as a page, behind the signed link of the SMS receipt (no account: the token is the permission).
 *
 *   GET  /t/:token          the page, for browsers; a client that asks for JSON (or anything) gets the JSON route of
 *                           public-tab-router.ts, which this router passes to
 *   GET  /t/:token/receipt  a printable receipt
 *   POST /t/:token/tip      the page's form (303 back to the page), or JSON `{ value: Tip['value'] }` (201 `{ tip, tab }`)
 *
 * A bad token and an unknown event answer the same 404, so tokens cannot be probed.
 */
export function tabPageRouter(deps: { db: Db; queue: Pick<JobQueue, 'enqueueTabsRecompute' | 'enqueueRecalculateEvent'>; links: TabLinks }): Router {
  const { db, queue, links } = deps;
  const router = Router();
  const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

  const notFoundPage = (res: Response) =>
    sendPage(res, 404, {
      title: 'Tab not found · Tapline',
      body: html`<section class="card"><h1>This link does not work</h1>
        <p class="muted">Check that you opened the whole link from your SMS receipt. If it still does not work, ask at the registration desk.</p></section>`,
    });

  async function load(token: string): Promise<TabPageData | undefined> {
    const named = links.verify(token);
    if (!named) return undefined;
    return loadTabPage(db, named.eventId, named.bandUid);
  }

  function page(res: Response, status: number, data: TabPageData, token: string, state: { notice?: string; error?: string } = {}) {
    sendPage(res, status, { title: `Your tab · ${data.event.name}`, css: TAB_PAGE_CSS, body: tabPageBody(data, { token, ...state }) });
  }

  router.get('/t/:token', async (req, res, next) => {
    if (!wantsHtml(req)) return next();
    const data = await load(req.params.token);
    if (!data) return notFoundPage(res);
    page(res, 200, data, req.params.token, req.query.tip === 'saved' ? { notice: 'Your tip is updated. Thank you!' } : {});
  });

  router.get('/t/:token/receipt', async (req, res) => {
    const data = await load(req.params.token);
    if (!data) {
      if (wantsHtml(req)) return notFoundPage(res);
      throw new HttpError(404, 'not_found', 'This tab link is not valid. Check the link in your SMS.');
    }
    const nonce = randomBytes(16).toString('base64');
    sendPage(res, 200, {
      title: `Receipt · ${data.event.name}`,
      css: TAB_PAGE_CSS + RECEIPT_CSS,
      body: receiptBody(data, req.params.token, nonce),
      csp: { 'script-src': `'nonce-${nonce}'` },
    });
  });

  router.post('/t/:token/tip', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), async (req, res) => {
    const token = req.params.token;
    const isForm = req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
    const named = links.verify(token);
    const data = named ? await loadTabPage(db, named.eventId, named.bandUid) : undefined;
    if (!named || !data) {
      if (isForm) return notFoundPage(res);
      throw new HttpError(404, 'not_found', 'This tab link is not valid. Check the link in your SMS.');
    }
    const target = { eventId: named.eventId, bandUid: named.bandUid, currency: data.event.currency };
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!isForm) {
      if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_body', 'body: send a JSON object { "value": … }.');
      const value = body.value as Record<string, unknown> | undefined;
      const withCurrency = value && typeof value === 'object' && value.type === 'amount' ? { currency: target.currency, ...value } : value;
      const tip = await setAttendeeTip(db, queue, target, withCurrency);
      const after = (await loadTabPage(db, named.eventId, named.bandUid))!;
      res.set('cache-control', 'no-store');
      res.status(201).json({ tip, tab: { currency: target.currency, ordersTotal: after.priced?.ordersTotal ?? 0, tip: after.priced?.tip ?? 0, total: after.priced?.total ?? 0 } });
      return;
    }
    try {
      await setAttendeeTip(db, queue, target, tipFromForm(body, target.currency));
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) {
        // The sentence names the field ("amount: …"); the attendee only needs the sentence.
        return page(res, err.status, data, token, { error: err.message.replace(/^[a-z.]+: /, '').replace(/^./, (c) => c.toUpperCase()) });
      }
      throw err;
    }
    res.redirect(303, `/t/${token}?tip=saved`);
  });

  return router;
}
