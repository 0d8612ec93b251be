import { minorDigits } from '@tapline/shared/money-units';
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { TabCorrectionResponse, TabDetailResponse, TabOrderView } from '../api-types.ts';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, Dialog, EmptyState, Notice, PageHeader, Skeleton, Spinner } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatDateTime, formatMoney } from '../format.ts';
import { linkClick, useLocation } from '../router.ts';
import { BandChip, CardBadge, PaymentBadge } from './attendees-parts.tsx';

/*
 * One band's tab: its orders line by line (voided ones struck through), refunds, promotions, taxes and the total as the
 * tabs.recompute job priced them. Managers refund part of an order or void it, each with a reason; the screen then
 * follows the recompute until the total reflects it.
 */

const POLL_MS = 700;

const hourMinute = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const hm = (iso: string) => hourMinute.format(new Date(iso));

/** "6", "6.5", "6,50" in the currency's major units → minor units; null when it is not an amount. */
function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const t = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d*)?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  if (frac.length > digits) return null;
  return Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || '0');
}

function majorText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

type Action = { kind: 'refund' | 'void'; order: TabOrderView };

function CorrectionDialog(props: { action: Action; currency: string; path: string; onClose: () => void; onDone: (r: TabCorrectionResponse, a: Action) => void }): JSX.Element {
  const { action, currency } = props;
  const { order } = action;
  const isVoid = action.kind === 'void';
  const [amountText, setAmountText] = useState(majorText(order.refundable, currency));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const amount = isVoid ? order.refundable : parseAmount(amountText, currency);
  const amountOk = amount !== null && amount >= 1 && amount <= order.refundable;
  const reasonOk = reason.trim().length >= 3;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!amountOk || !reasonOk) return;
    setBusy(true);
    setError(null);
    try {
      const body = isVoid ? { orderId: order.orderId, reason: reason.trim() } : { orderId: order.orderId, amount, reason: reason.trim() };
      props.onDone(await api.post<TabCorrectionResponse>(`${props.path}/${isVoid ? 'voids' : 'refunds'}`, body), action);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work; nothing was changed. Try again.');
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={isVoid ? 'Void this order' : 'Refund this order'}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="tab-correction" class={`button ${isVoid ? 'button-danger' : 'button-primary'}`} disabled={busy || !amountOk || !reasonOk}>
            {busy ? 'Saving…' : isVoid ? `Void order (${formatMoney(order.refundable, currency)})` : `Refund ${amountOk ? formatMoney(amount!, currency) : ''}`}
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div class="correction-order">
        <div class="correction-order-head">
          <span class="strong">{formatDateTime(order.at)}</span>
          <span class="text-muted small">
            {order.station}
            {order.staff ? ` · ${order.staff}` : ''}
          </span>
        </div>
        <ul class="correction-lines">
          {order.lines.map((l, i) => (
            <li key={i}>
              <span>
                {l.quantity} × {l.name}
              </span>
              <span class="num">{formatMoney(l.total, currency)}</span>
            </li>
          ))}
        </ul>
        <div class="correction-order-foot">
          <span>{order.refunded ? `Order ${formatMoney(order.total, currency)}, ${formatMoney(order.refunded, currency)} refunded already; refundable` : 'Refundable'}</span>
          <span class="num strong">{formatMoney(order.refundable, currency)}</span>
        </div>
      </div>
      <form id="tab-correction" class="form" onSubmit={submit}>
        {isVoid ? (
          <p class="small text-muted dialog-text">
            The whole order comes off the tab: {formatMoney(order.refundable, currency)} is given back as a refund marked “voided by head office”. The
            attendee's tab page shows it, and it is kept in the audit log.
          </p>
        ) : (
          <label class="field">
            <span class="field-label">Amount to refund ({currency})</span>
            <input name="amount" inputMode="decimal" autoFocus value={amountText} onInput={(e) => setAmountText(e.currentTarget.value)} aria-invalid={!amountOk} />
            <span class={`small ${amountOk || amountText === '' ? 'text-muted' : 'text-danger'}`}>Up to {formatMoney(order.refundable, currency)}.</span>
          </label>
        )}
        <label class="field">
          <span class="field-label">Reason</span>
          <textarea
            name="reason"
            rows={3}
            maxLength={160}
            autoFocus={isVoid}
            placeholder={isVoid ? 'e.g. Charged to the wrong wristband' : 'e.g. Drink spilled, replaced at the bar'}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <span class="small text-muted">Required. The attendee sees it on their tab; it is kept in the audit log.</span>
        </label>
      </form>
    </Dialog>
  );
}

function OrderBlock(props: { order: TabOrderView; currency: string; refunds: TabDetailResponse['refunds']; canAct: boolean; onAct: (a: Action) => void }): JSX.Element {
  const { order, currency } = props;
  const struck = order.status === 'voided';
  const mine = props.refunds.filter((r) => r.orderId === order.orderId);
  return (
    <article class={`order${struck ? ' order-voided' : ''}`} aria-label={`Order of ${formatDateTime(order.at)}`} data-order-id={order.orderId}>
      <header class="order-head">
        <div class="order-when">
          <span class="strong">{hm(order.at)}</span>
          <span class="text-muted small">{dayMonth.format(new Date(order.at))}</span>
        </div>
        <div class="order-where">
          <span>{order.station}</span>
          <span class="text-muted small">
            {order.staff ?? 'No staff recorded'} · {order.terminalId}
          </span>
        </div>
        <div class="order-badges">
          {struck ? <Badge tone="danger">Voided</Badge> : null}
          {order.status === 'pending' ? <Badge tone="warning">Not priced yet</Badge> : null}
          {order.offline ? <Badge title="Approved while the terminal could not reach the hub">Offline</Badge> : null}
          {order.refunded > 0 ? <Badge tone="warning">{order.refundable === 0 ? 'Refunded in full' : `${formatMoney(order.refunded, currency)} refunded`}</Badge> : null}
        </div>
        <div class={`order-total num${struck || (order.refunded > 0 && order.refundable === 0) ? ' struck' : ''}`}>{formatMoney(order.total, currency)}</div>
        {props.canAct && !struck ? (
          <div class="order-actions">
            <button type="button" class="button button-secondary button-small" disabled={order.refundable <= 0} onClick={() => props.onAct({ kind: 'refund', order })}>
              <Icon name="undo" size={14} /> Refund
            </button>
            <button type="button" class="button button-secondary button-small button-danger-text" disabled={order.refundable <= 0} onClick={() => props.onAct({ kind: 'void', order })}>
              <Icon name="ban" size={14} /> Void
            </button>
          </div>
        ) : null}
      </header>
      <table class={`order-lines${struck ? ' struck' : ''}`} aria-label="Lines">
        <tbody>
          {order.lines.map((l, i) => (
            <tr key={i}>
              <td class="line-qty num">{l.quantity} ×</td>
              <td class="line-name">
                {l.name}
                {l.recordedUnitPrice !== null ? <span class="text-muted small"> (price fixed from {formatMoney(l.recordedUnitPrice, currency)})</span> : null}
              </td>
              <td class="line-unit num text-muted">{formatMoney(l.unitPrice, currency)}</td>
              <td class="line-discount num">{l.discount ? `−${formatMoney(l.discount, currency)}` : ''}</td>
              <td class="line-tax num text-muted">{l.tax ? `${l.taxMode === 'inclusive' ? 'incl.' : '+'} ${formatMoney(l.tax, currency)} tax` : ''}</td>
              <td class="line-total num">{formatMoney(l.total, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {order.voided ? (
        <p class="order-note order-note-void">
          <Icon name="ban" size={14} /> Voided at the bar by {order.voided.by ?? 'a supervisor'}: “{order.voided.reason}”
        </p>
      ) : null}
      {mine.map((r) => (
        <p key={r.id} class="order-note">
          <Icon name="undo" size={14} /> {formatMoney(r.amount, currency)} refunded by {r.by}, {formatDateTime(r.at)}: “{r.reason}”
        </p>
      ))}
    </article>
  );
}

function SummaryCard({ tab }: { tab: TabDetailResponse }): JSX.Element {
  const s = tab.summary;
  const c = tab.currency;
  if (!s) {
    return (
      <Card title="Tab total">
        <p class="text-muted">This tab has not been priced yet.</p>
      </Card>
    );
  }
  const row = (label: string, amount: number, opts: { minus?: boolean; muted?: boolean; testId?: string } = {}) => (
    <div class={`summary-row${opts.muted ? ' text-muted' : ''}`}>
      <dt>{label}</dt>
      <dd class="num" data-testid={opts.testId}>
        {opts.minus && amount ? '−' : ''}
        {formatMoney(amount, c)}
      </dd>
    </div>
  );
  return (
    <Card title="Tab total" class="summary-card">
      <dl class="summary">
        {row('Subtotal', s.subtotal)}
        {s.promotions.map((p) => (
          <div class="summary-row summary-promotion" key={p.id}>
            <dt title="Promotion">
              <Icon name="tag" size={14} /> {p.name}
            </dt>
            <dd class="num">−{formatMoney(p.amount, c)}</dd>
          </div>
        ))}
        {s.taxAdded ? row('Tax added', s.taxAdded) : null}
        {row('Orders total', s.ordersTotal, { testId: 'tab-orders-total' })}
        {s.tip ? row('Tip', s.tip) : null}
        {s.refunds ? row('Refunds', s.refunds, { minus: true, testId: 'tab-refunds' }) : null}
        <div class="summary-row summary-total">
          <dt>Total due</dt>
          <dd class="num" data-testid="tab-total">
            {formatMoney(s.total, c)}
          </dd>
        </div>
        {s.taxIncluded ? <p class="small text-muted summary-note">Includes {formatMoney(s.taxIncluded, c)} tax.</p> : null}
      </dl>
      <p class="small text-muted summary-note">Priced {formatDateTime(s.updatedAt)}</p>
    </Card>
  );
}

function PersonCard({ tab }: { tab: TabDetailResponse }): JSX.Element {
  const a = tab.attendee;
  return (
    <Card title={a ? 'Attendee' : 'Wristband'}>
      <dl class="facts">
        {a ? (
          <>
            <dt>E-mail</dt>
            <dd>{a.email ?? <span class="text-muted">—</span>}</dd>
            <dt>Phone</dt>
            <dd>{a.phone ?? <span class="text-muted">—</span>}</dd>
            <dt>Card</dt>
            <dd>
              <CardBadge status={a.cardStatus} last4={a.cardLast4} />
            </dd>
          </>
        ) : null}
        <dt>Payment</dt>
        <dd>
          <PaymentBadge status={tab.payment?.status ?? null} />
          {tab.payment?.reason ? <span class="small text-muted payment-reason">{tab.payment.reason}</span> : null}
        </dd>
        <dt>{a && a.bands.length > 1 ? 'Bands' : 'Band'}</dt>
        <dd class="band-list">
          {(a?.bands.length ? a.bands : tab.band ? [tab.band] : [{ uid: tab.bandUid, status: null }]).map((b) => (
            <a key={b.uid} href={`/console/attendees/tab?band=${b.uid}`} onClick={linkClick(`/attendees/tab?band=${b.uid}`)} aria-current={b.uid === tab.bandUid ? 'true' : undefined}>
              <BandChip band={b} />
            </a>
          ))}
        </dd>
      </dl>
    </Card>
  );
}

export function TabScreen(): JSX.Element {
  const { event, can } = useConsole();
  const { query } = useLocation();
  const band = query.get('band') ?? '';
  const [tab, setTab] = useState<TabDetailResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const path = event ? `/v1/console/events/${encodeURIComponent(event.id)}/tabs/${encodeURIComponent(band)}` : '';

  const load = () =>
    api.get<TabDetailResponse>(path).then(
      (t) => {
        setTab(t);
        setError(null);
      },
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load this tab.'),
    );

  useEffect(() => {
    setTab(null);
    setDone(null);
    if (event && band) void load();
  }, [path]);

  // While the job has not priced what was just recorded, look again: the total changes by itself when it has.
  useEffect(() => {
    if (!tab?.recomputing) return;
    const t = window.setTimeout(() => void load(), POLL_MS);
    return () => window.clearTimeout(t);
  }, [tab]);

  const back = (
    <a class="back-link" href="/console/attendees" onClick={linkClick('/attendees')}>
      <Icon name="arrowLeft" size={16} /> Attendees & tabs
    </a>
  );

  if (!event || !band) {
    return (
      <>
        {back}
        <Card>
          <EmptyState icon="receipt" title="No tab picked">
            Search for an attendee and open their tab.
          </EmptyState>
        </Card>
      </>
    );
  }

  const currency = tab?.currency ?? event.currency;
  const canAct = can('manager');
  const counted = tab?.orders.filter((o) => o.status !== 'voided').length ?? 0;
  return (
    <>
      {back}
      <PageHeader
        title={tab ? (tab.attendee?.name ?? `Band ${tab.bandUid}`) : 'Tab'}
        description={
          tab ? (
            <>
              Tab of band <span class="mono">{tab.bandUid}</span>
              {tab.band?.status === 'blocked' ? ' (blocked)' : ''} · {counted} {counted === 1 ? 'order' : 'orders'}
              {tab.orders.length > counted ? `, ${tab.orders.length - counted} voided` : ''}
            </>
          ) : undefined
        }
      />
      {error ? <Notice tone="error">{error}</Notice> : null}
      {done ? (
        <Notice tone="success">
          {done}
          {tab?.recomputing ? ' Recalculating the tab…' : ' The total is up to date.'}
        </Notice>
      ) : tab?.recomputing ? (
        <Notice tone="info">New facts arrived for this tab; it is being recalculated.</Notice>
      ) : null}
      {!tab ? (
        error ? null : (
          <Card>
            <Skeleton rows={8} />
          </Card>
        )
      ) : (
        <div class="tab-grid">
          <Card
            title={`Orders`}
            flush
            actions={tab.recomputing ? <span class="recomputing small text-muted" role="status"><Spinner /> Recalculating</span> : null}
          >
            {tab.orders.length === 0 ? (
              <EmptyState icon="receipt" title="No orders on this tab">
                Orders show here once a hub uploads them.
              </EmptyState>
            ) : (
              <div class="orders">
                {[...tab.orders].reverse().map((o) => (
                  <OrderBlock key={o.orderId} order={o} currency={currency} refunds={tab.refunds} canAct={canAct} onAct={setAction} />
                ))}
              </div>
            )}
          </Card>
          <div class="tab-side">
            <SummaryCard tab={tab} />
            <PersonCard tab={tab} />
          </div>
        </div>
      )}
      {action ? (
        <CorrectionDialog
          action={action}
          currency={currency}
          path={path}
          onClose={() => setAction(null)}
          onDone={(r, a) => {
            setAction(null);
            const card = r.toCard > 0 ? ` The tab was already charged: ${formatMoney(r.toCard, currency)} goes back to the card.` : '';
            setDone(`${a.kind === 'void' ? 'Voided' : 'Refunded'} ${formatMoney(r.refund.amount, currency)} on the order of ${hm(a.order.at)}.${card}`);
            void load();
          }}
        />
      ) : null}
    </>
  );
}
