import { useEffect, useState } from 'preact/hooks';
import type { RecentOrderView } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { IconCheck, IconSpinner, IconWifiOff, IconX } from '../components/icons.tsx';
import { VoidFlow } from '../components/void-flow.tsx';
import { useBridge } from '../hooks/use-kiosk.ts';
import { money } from '../logic/money.ts';
import { orderTime } from '../logic/words.ts';

const STATUS_WORDS: Record<RecentOrderView['status'], string> = { pending: 'Not yet sent', acked: 'At the hub', rejected: 'Refused by hub' };
const STATUS_TONE: Record<RecentOrderView['status'], string> = { pending: 'pill-warn', acked: 'pill-ok', rejected: 'pill-bad' };

interface Props {
  currency: string;
  /** Changes when orders are made or acknowledged, so the list refreshes. */
  refreshKey: string;
  onClose: () => void;
}

/** This terminal's latest orders, newest first, with their delivery state; a supervisor can void a sale. */
export function RecentOrders({ currency, refreshKey, onClose }: Props) {
  const bridge = useBridge();
  const [orders, setOrders] = useState<RecentOrderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [voiding, setVoiding] = useState<RecentOrderView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    bridge.call('recent', { limit: 50 }).then(
      (list) => live && (setOrders(list), setError(null)),
      (err: unknown) => live && setError(toCallError(err).message),
    );
    return () => {
      live = false;
    };
  }, [bridge, refreshKey, reload]);

  return (
    <div class="sheet-scrim">
      <section class="sheet" data-testid="recent-orders" role="dialog" aria-label="Recent orders">
        <header class="sheet-head">
          <div>
            <h2>Recent orders</h2>
            <p class="muted">This terminal, newest first. Voiding a sale needs a supervisor.</p>
          </div>
          <button type="button" class="icon-button" onClick={onClose} aria-label="Close" data-testid="recent-close">
            <IconX size={30} />
          </button>
        </header>
        {notice && (
          <p class="notice" role="status" data-testid="void-notice">
            <IconCheck size={24} />
            {notice}
          </p>
        )}
        {error && <p class="form-error">{error}</p>}
        {!orders && !error && (
          <p class="muted loading-line">
            <IconSpinner size={24} /> Loading…
          </p>
        )}
        {orders && orders.length === 0 && <p class="muted empty-list">No orders on this terminal yet.</p>}
        {orders && orders.length > 0 && (
          <ol class="order-list">
            {orders.map((o) => (
              <li
                class={`order-row${o.voided ? ' is-voided' : ''}${o.kind === 'void' ? ' is-void' : ''}`}
                data-testid={`order-row-${o.seq}`}
                data-status={o.status}
                data-voided={String(o.voided)}
                data-kind={o.kind}
                key={o.id}
              >
                <span class="order-when">
                  <span class="order-seq">#{o.seq}</span>
                  <span class="order-time">{orderTime(o.createdAt)}</span>
                </span>
                <span class="order-main">
                  <span class="order-summary">{o.summary}</span>
                  <span class="order-who">
                    {o.firstName ? <strong>{o.firstName}</strong> : null}
                    <span class="mono">{o.bandUid}</span>
                  </span>
                  <span class="order-state">
                    <span class={`pill ${STATUS_TONE[o.status]}`} data-testid={`order-status-${o.seq}`}>
                      {STATUS_WORDS[o.status]}
                    </span>
                    {o.voided && <span class="pill pill-muted">Voided</span>}
                    {o.offline && (
                      <span class="pill pill-warn">
                        <IconWifiOff size={14} /> Sold offline
                      </span>
                    )}
                  </span>
                </span>
                <span class="order-total">{o.kind === 'void' && o.total === 0 ? '' : money(o.total, currency)}</span>
                <span class="order-action">
                  {o.kind === 'sale' && !o.voided && (
                    <button type="button" class="button button-secondary" data-testid={`void-${o.seq}`} onClick={() => (setNotice(null), setVoiding(o))}>
                      Void
                    </button>
                  )}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {voiding && (
        <VoidFlow
          order={voiding}
          currency={currency}
          onCancel={() => setVoiding(null)}
          onDone={(result) => {
            setNotice(`Order #${voiding.seq} voided. ${voiding.firstName ?? 'The guest'}'s tab is now ${money(result.tabTotal, currency)}.`);
            setVoiding(null);
            setReload((n) => n + 1);
          }}
        />
      )}
    </div>
  );
}
