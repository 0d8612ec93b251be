import { applyBasisPoints, formatMoney, minorDigits, type PricedOrder, type Sale } from '@tapline/shared';
import { html, type Raw } from './layout.ts';
import type { TabPageData } from './tab-page-data.ts';
import { TIP_PERCENTS } from './tab-page-tip.ts';

/** The attendee's tab page: total and card, tip, the breakdown, every order (voids and refunds shown), receipt link. */

export const TAB_PAGE_CSS = `
.hero{padding:24px 16px}
.hero .label{font-size:14px;color:var(--muted);margin:0}
.hero .big{font-size:40px;font-weight:700;line-height:1.1;margin:4px 0 12px;font-variant-numeric:tabular-nums}
.hero .pay{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:14px;color:var(--muted)}
.chips{display:grid;grid-template-columns:repeat(2,1fr);gap:8px;margin:0 0 12px}
.chip{position:relative;display:block;margin:0}
.chip input{position:absolute;opacity:0;pointer-events:none}
.chip span{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:56px;border:1px solid #c9ced6;border-radius:10px;
background:#fff;font-weight:600;text-align:center;cursor:pointer;line-height:1.2}
.chip small{font-weight:400;color:var(--muted);font-size:13px;margin-top:2px}
.chip input:checked+span{border:2px solid var(--accent);background:var(--accent-soft);color:var(--accent)}
.chip input:checked+span small{color:var(--accent)}
.chip input:focus-visible+span{outline:3px solid rgba(59,91,219,.35);outline-offset:2px}
.custom{display:flex;gap:8px;align-items:center;margin:0 0 16px}
.custom .chip{flex:0 0 auto}
.custom .chip span{min-width:96px;padding:0 12px}
.custom input[type=text]{flex:1}
.order{padding:12px 0;border-top:1px solid var(--line)}
.order:first-of-type{border-top:0;padding-top:0}
.order-head{display:flex;justify-content:space-between;gap:8px;font-size:14px;color:var(--muted);margin-bottom:4px}
.line{display:flex;justify-content:space-between;gap:16px;padding:2px 0}
.line .what{min-width:0}
.sub{padding-left:16px;font-size:14px;color:var(--muted)}
.neg{color:var(--good)}
.voided .line{color:var(--muted);text-decoration:line-through}
.order-total{display:flex;justify-content:space-between;font-weight:600;padding-top:4px}
.empty{color:var(--muted);text-align:center;padding:16px 0}
`;

export function money(amount: number, currency: string): string {
  return formatMoney(amount, currency);
}

function when(iso: string, timezone: string): string {
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: timezone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}

/** "Card ending 4242 · charged after the event", or what is wrong with the payment, as a badge and a sentence. */
export function paymentStatus(d: TabPageData): { badge: Raw; sentence: string } {
  const cur = d.event.currency;
  const p = d.payment;
  const card = d.attendee?.cardLast4 ? `Card •••• ${d.attendee.cardLast4}` : 'Card';
  if (p?.status === 'captured') {
    return { badge: html`<span class="badge good">Paid</span>`, sentence: `${money(p.capturedAmount ?? 0, cur)} was charged to your card. Thank you!` };
  }
  if (p?.status === 'settled') return { badge: html`<span class="badge good">Settled</span>`, sentence: 'Nothing was owed; any hold on your card was released.' };
  if (p?.status === 'declined' || p?.status === 'failed') {
    return { badge: html`<span class="badge bad">Payment problem</span>`, sentence: 'Your card was declined. Please add another card, or talk to the event team.' };
  }
  switch (d.attendee?.cardStatus) {
    case 'ready':
      return { badge: html`<span class="badge good">${card}</span>`, sentence: 'Your card is charged once, after the event.' };
    case 'pending':
      return { badge: html`<span class="badge warn">Card being checked</span>`, sentence: 'Your card is being checked.' };
    case 'failed':
      return { badge: html`<span class="badge bad">Card refused</span>`, sentence: 'Your card could not be saved. Please add another card.' };
    default:
      return { badge: html`<span class="badge warn">No card yet</span>`, sentence: 'No card is on this tab yet: pay at the registration desk.' };
  }
}

function tipLabel(d: TabPageData): string {
  const t = d.tip?.value;
  if (!t || (t.type === 'amount' && t.amount === 0)) return 'Tip';
  return t.type === 'percent' ? `Tip (${t.basisPoints / 100} %)` : 'Tip';
}

/** The chosen radio: none, 10 / 15 / 20, or custom. */
function currentChoice(d: TabPageData): string {
  const t = d.tip?.value;
  if (!t || (t.type === 'amount' && t.amount === 0)) return 'none';
  if (t.type === 'percent') return TIP_PERCENTS.includes(t.basisPoints as (typeof TIP_PERCENTS)[number]) ? String(t.basisPoints / 100) : 'custom';
  return 'custom';
}

function orderBlock(d: TabPageData, sale: Sale, priced: PricedOrder | undefined): Raw {
  const cur = d.event.currency;
  const station = d.stationNames.get(sale.stationId) ?? 'Bar';
  if (!priced) {
    // Voided (or not priced): the terminal's lines, struck through.
    return html`<div class="order voided">
      <div class="order-head"><span>${when(sale.createdAt, d.event.timezone)} · ${station}</span><span class="badge warn">Voided</span></div>
      ${sale.lines.map((l) => html`<div class="line"><span class="what">${l.quantity} × ${l.name}</span><span class="num">${money(l.quantity * l.unitPrice, cur)}</span></div>`)}
    </div>`;
  }
  return html`<div class="order">
    <div class="order-head"><span>${when(sale.createdAt, d.event.timezone)} · ${station}</span></div>
    ${priced.lines.map(
      (l) => html`<div class="line"><span class="what">${l.quantity} × ${l.name}</span><span class="num">${money(l.gross, cur)}</span></div>
        ${l.discounts.map(
          (x) => html`<div class="line sub"><span>${d.promotionNames.get(x.promotionId) ?? 'Promotion'}</span><span class="num neg">−${money(x.amount, cur)}</span></div>`,
        )}
        ${l.taxMode === 'exclusive' && l.tax > 0 ? html`<div class="line sub"><span>Tax ${(l.taxBasisPoints ?? 0) / 100} %</span><span class="num">${money(l.tax, cur)}</span></div>` : ''}`,
    )}
    ${priced.refunded > 0 ? html`<div class="line sub"><span>Refunded</span><span class="num neg">−${money(priced.refunded, cur)}</span></div>` : ''}
  </div>`;
}

export function ordersCard(d: TabPageData): Raw {
  const pricedById = new Map((d.priced?.orders ?? []).map((o) => [o.orderId, o]));
  const counted = d.sales.filter((s) => pricedById.has(s.id)).length;
  return html`<section class="card" aria-labelledby="orders-h">
    <h2 id="orders-h">Orders <span class="muted small">(${counted})</span></h2>
    ${d.sales.length === 0 ? html`<p class="empty">No orders on this tab yet. They show up here a moment after the bar taps your band.</p>` : ''}
    ${d.sales.map((s) => orderBlock(d, s, pricedById.get(s.id)))}
  </section>`;
}

export function summaryRows(d: TabPageData): Raw {
  const p = d.priced;
  const cur = d.event.currency;
  if (!p) return html`<div class="row total"><span>Total</span><span class="num" data-testid="total">${money(0, cur)}</span></div>`;
  return html`
    <div class="row"><span>Subtotal</span><span class="num">${money(p.subtotal, cur)}</span></div>
    ${p.discountsByPromotion.map(
      (x) => html`<div class="row"><span>${d.promotionNames.get(x.promotionId) ?? 'Promotion'}</span><span class="num neg">−${money(x.amount, cur)}</span></div>`,
    )}
    ${p.taxIncluded > 0 ? html`<div class="row muted"><span>Tax included</span><span class="num">${money(p.taxIncluded, cur)}</span></div>` : ''}
    ${p.taxAdded > 0 ? html`<div class="row"><span>Tax</span><span class="num">${money(p.taxAdded, cur)}</span></div>` : ''}
    <div class="row"><span>${tipLabel(d)}</span><span class="num" data-testid="tip">${money(p.tip, cur)}</span></div>
    ${p.refunds > 0 ? html`<div class="row"><span>Refunds</span><span class="num neg">−${money(p.refunds, cur)}</span></div>` : ''}
    <div class="row total"><span>Total</span><span class="num" data-testid="total">${money(p.total, cur)}</span></div>`;
}

function tipCard(d: TabPageData, token: string, error: string | undefined): Raw {
  const cur = d.event.currency;
  const base = d.priced?.ordersTotal ?? 0;
  const choice = currentChoice(d);
  const digits = minorDigits(cur);
  const customValue = d.tip?.value.type === 'amount' && d.tip.value.amount > 0 ? (d.tip.value.amount / 10 ** digits).toFixed(digits) : '';
  if (d.tipClosed) {
    return html`<section class="card"><h2>Tip</h2><p class="muted">${d.tipClosed}</p></section>`;
  }
  if (!d.priced || base <= 0) {
    return html`<section class="card"><h2>Tip</h2><p class="muted">You can add a tip for the bar team once there is an order on your tab.</p></section>`;
  }
  const chip = (value: string, label: string, hint: string) =>
    html`<label class="chip"><input type="radio" name="choice" value="${value}" ${choice === value ? html`checked` : ''}><span>${label}<small>${hint}</small></span></label>`;
  return html`<section class="card" aria-labelledby="tip-h">
    <h2 id="tip-h">Add a tip for the bar team</h2>
    <p class="muted small" style="margin-top:-4px">All tips go to the staff. You can change it until your card is charged.</p>
    ${error ? html`<div class="notice bad" role="alert">${error}</div>` : ''}
    <form method="post" action="/t/${token}/tip">
      <div class="chips">
        ${chip('none', 'No tip', money(0, cur))}
        ${TIP_PERCENTS.map((bp) => chip(String(bp / 100), `${bp / 100} %`, money(applyBasisPoints(base, bp), cur)))}
      </div>
      <div class="custom">
        <label class="chip"><input type="radio" name="choice" value="custom" ${choice === 'custom' ? html`checked` : ''}><span>Custom</span></label>
        <input type="text" inputmode="decimal" name="amount" aria-label="Custom tip amount" placeholder="Amount, e.g. 5.00" value="${customValue}" autocomplete="off">
      </div>
      <button class="btn primary block" type="submit">Update tip</button>
    </form>
  </section>`;
}

export interface TabPageState {
  token: string;
  notice?: string;
  error?: string;
}

export function tabPageBody(d: TabPageData, s: TabPageState): Raw {
  const cur = d.event.currency;
  const status = paymentStatus(d);
  const name = d.attendee?.firstName;
  return html`
    <h1>${d.event.name}</h1>
    <p class="muted" style="margin:0 0 16px">${name ? `Hi ${name}, this is your tab.` : 'This is your tab.'} Band ${d.bandUid.slice(-4)}</p>
    ${s.notice ? html`<div class="notice good" role="status">${s.notice}</div>` : ''}
    ${d.pricingError ? html`<div class="notice warn">Part of this tab is being checked by the event team; the total may still change.</div>` : ''}
    <section class="card hero">
      <p class="label">${d.payment?.status === 'captured' ? 'Total charged' : 'Total so far'}</p>
      <p class="big num" data-testid="hero-total">${money(d.priced?.total ?? 0, cur)}</p>
      <div class="pay">${status.badge}<span>${status.sentence}</span></div>
    </section>
    ${tipCard(d, s.token, s.error)}
    <section class="card" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>${summaryRows(d)}</section>
    ${ordersCard(d)}
    <a class="btn block no-print" href="/t/${s.token}/receipt">View receipt</a>
    <p class="footer">This link is personal: anyone with it can see this tab.<br>Powered by Tapline</p>`;
}
