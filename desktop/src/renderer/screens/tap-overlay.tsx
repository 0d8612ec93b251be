import type { ReaderView } from '../../kiosk/api.ts';
import { IconContactless, IconLock, IconPlug, IconSpinner } from '../components/icons.tsx';
import { itemCount, type Cart } from '../logic/cart.ts';
import { money } from '../logic/money.ts';
import { plural, readerProblemTitle } from '../logic/words.ts';

interface Props {
  phase: 'awaiting' | 'processing';
  cart: Cart;
  total: number;
  currency: string;
  reader: ReaderView;
  error: string | null;
  /** The band was read again too soon to count (a bounce): lift it away and tap again. */
  hint: string | null;
  onCancel: () => void;
  onManual: () => void;
}

/** Waiting for the guest's wristband; a real tap or a supervisor's band number completes the sale. */
export function TapOverlay({ phase, cart, total, currency, reader, error, hint, onCancel, onManual }: Props) {
  const ready = reader.status === 'ready';
  const processing = phase === 'processing';
  return (
    <div class="tap-overlay" data-testid="tap-overlay" data-phase={phase} data-reader={reader.status}>
      <div class="tap-center">
        <div class={`tap-rings${ready ? '' : ' is-bad'}${processing ? ' is-busy' : ''}`}>
          <span class="ring r1" />
          <span class="ring r2" />
          <span class="tap-icon">{processing ? <IconSpinner size={72} /> : ready ? <IconContactless size={84} /> : <IconPlug size={72} />}</span>
        </div>
        <h1 class="tap-title">{processing ? 'Checking wristband…' : ready ? 'Tap wristband' : readerProblemTitle(reader.status)}</h1>
        <p class="tap-amount" data-testid="tap-amount">
          {money(total, currency)}
        </p>
        <p class="tap-items">
          {plural(itemCount(cart), 'item')} · {cart.map((l) => (l.quantity > 1 ? `${l.name} ×${l.quantity}` : l.name)).join(', ')}
        </p>
        {!ready && !processing && (
          <p class="tap-reader-message" data-testid="tap-reader-message">
           {reader.message}
          </p>
        )}
        {error && (
          <p class="tap-error" role="alert" data-testid="tap-error">
            {error}
          </p>
        )}
        {hint && !error && !processing && (
          <p class="tap-hint" role="status" data-testid="tap-bounce-hint">
            {hint}
          </p>
        )}
      </div>
      <div class="tap-actions">
        <button type="button" class="button button-secondary button-big" data-testid="tap-cancel" disabled={processing} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class={`button button-big ${ready ? 'button-ghost' : 'button-primary'}`}
          data-testid="manual-entry"
          disabled={processing}
          onClick={onManual}
        >
          <IconLock size={24} />
          Enter band number
        </button>
      </div>
    </div>
  );
}
