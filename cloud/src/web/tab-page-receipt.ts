import { html, type Raw } from './layout.ts';
import type { TabPageData } from './tab-page-data.ts';
import { money, paymentStatus, summaryRows } from './tab-page-view.ts';

/** A plain, printable receipt of the tab: every counted line, the breakdown and how it is paid. */

export const RECEIPT_CSS = `
.receipt h1{font-size:20px}
.receipt table{width:100%;border-collapse:collapse;font-size:15px}
.receipt th{text-align:left;font-weight:600;color:var(--muted);font-size:13px;border-bottom:1px solid var(--line);padding:4px 0}
.receipt td{padding:4px 0;vertical-align:top}
.receipt td.num,.receipt th.num{text-align:right}
.receipt tr.sub td{color:var(--muted);font-size:14px;padding-left:12px}
.receipt .meta{display:grid;grid-template-columns:auto 1fr;gap:2px 16px;font-size:14px;margin:8px 0 16px}
.receipt .meta dt{color:var(--muted)}
.receipt .meta dd{margin:0}
.actions{display:flex;gap:8px;margin:0 0 16px}
.actions .btn{flex:1}
`;

function day(iso: string | null, timezone: string): string {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: timezone }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

export function receiptBody(d: TabPageData, token: string, nonce: string): Raw {
  const cur = d.event.currency;
  const priced = new Map((d.priced?.orders ?? []).map((o) => [o.orderId, o]));
  const counted = d.sales.filter((s) => priced.has(s.id));
  const voided = d.sales.length - counted.length;
  const status = paymentStatus(d);
  return html`
    <div class="actions no-print">
      <a class="btn" href="/t/${token}">Back to tab</a>
      <button class="btn primary" type="button" id="print">Print receipt</button>
    </div>
    <article class="card receipt">
      <h1>Receipt</h1>
      <p class="muted" style="margin:0">${d.event.name}</p>
      <dl class="meta">
        <dt>Date</dt><dd>${day(d.event.startsAt, d.event.timezone)}</dd>
        ${d.attendee?.firstName ? html`<dt>Name</dt><dd>${d.attendee.firstName}</dd>` : ''}
        <dt>Band</dt><dd>•••• ${d.bandUid.slice(-4)}</dd>
        <dt>Payment</dt><dd>${status.sentence}</dd>
      </dl>
      <table>
        <thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Amount</th></tr></thead>
        <tbody>
          ${counted.map((s) =>
            priced.get(s.id)!.lines.map(
              (l) => html`<tr><td>${l.name}</td><td class="num">${l.quantity}</td><td class="num">${money(l.gross, cur)}</td></tr>
                ${l.discounts.map((x) => html`<tr class="sub"><td colspan="2">${d.promotionNames.get(x.promotionId) ?? 'Promotion'}</td><td class="num">−${money(x.amount, cur)}</td></tr>`)}`,
            ),
          )}
          ${counted.length === 0 ? html`<tr><td colspan="3" class="muted">No orders.</td></tr>` : ''}
        </tbody>
      </table>
      <div style="margin-top:12px">${summaryRows(d)}</div>
      ${voided > 0 ? html`<p class="muted small">${voided} voided order${voided === 1 ? ' is' : 's are'} not charged and not listed.</p>` : ''}
    </article>
    <p class="footer">Tapline · ${d.event.name}</p>
    <script nonce="${nonce}">document.getElementById('print').addEventListener('click', function () { window.print(); });</script>`;
}
