import { useEffect } from 'preact/hooks';
import type { BandLookup } from '../../kiosk/api.ts';
import { money } from '../logic/money.ts';
import { IconSpinner, IconX } from './icons.tsx';

export type Balance = { uid: string; result: BandLookup | null; error: string | null };

/** How long a balance check stays up by itself. */
const SHOWS_MS = 8000;

/** A wristband tapped while no sale waits for one: show its tab, without getting in the way of the order. */
export function BalancePanel({ balance, currency, onClose }: { balance: Balance; currency: string; onClose: () => void }) {
  useEffect(() => {
    const t = setTimeout(onClose, SHOWS_MS);
    return () => clearTimeout(t);
  }, [balance]);
  const r = balance.result;
  const status = !r ? 'loading' : !r.known ? 'unknown' : r.status === 'blocked' ? 'blocked' : 'active';
  const pill =
    status === 'loading' ? null : (
      <span class={`pill ${status === 'active' ? 'pill-ok' : 'pill-bad'}`} data-testid="balance-status">
        {status === 'active' ? 'Tab open' : status === 'blocked' ? 'Blocked' : 'Not registered'}
      </span>
    );
  return (
    <section class={`balance-panel is-${status}`} data-testid="balance-panel" data-status={status} role="status">
      <header>
        <span class="balance-kicker">Balance check</span>
        {pill}
        <button type="button" class="icon-button" onClick={onClose} aria-label="Close" data-testid="balance-close">
          <IconX size={24} />
        </button>
      </header>
      {balance.error ? (
        <p class="form-error">{balance.error}</p>
      ) : !r ? (
        <p class="muted loading-line">
          <IconSpinner size={22} /> Looking up the wristband…
        </p>
      ) : (
        <div class="balance-body">
          <div class="balance-who">
            <p class="balance-name" data-testid="balance-name">
              {r.firstName ?? (r.known ? 'Guest' : 'Unknown wristband')}
            </p>
            <p class="mono muted">{r.bandUid}</p>
          </div>
          <div class="balance-right">
            <span class="balance-label">Tab</span>
            <p class="balance-tab" data-testid="balance-tab" data-amount={r.tabTotal}>
              {money(r.tabTotal, currency)}
            </p>
          </div>
        </div>
      )}
    </section>
  );
}
