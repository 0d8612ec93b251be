import { useEffect } from 'preact/hooks';
import type { SaleOutcome } from '../../kiosk/api.ts';
import { IconCheck, IconWifiOff, IconX } from '../components/icons.tsx';
import { money } from '../logic/money.ts';
import { DECLINE_ADVICE, DECLINE_TITLES } from '../logic/words.ts';

type Approved = Extract<SaleOutcome, { approved: true }>;
type Declined = Extract<SaleOutcome, { approved: false }>;

/** How long the approved screen stays before a fresh order; a touch skips it. */
export const APPROVED_SHOWS_MS = 3000;

export function ApprovedScreen({ outcome, currency, onDone }: { outcome: Approved; currency: string; onDone: () => void }) {
  useEffect(() => {
    const t = setTimeout(onDone, APPROVED_SHOWS_MS);
    return () => clearTimeout(t);
  }, [outcome.orderId]);
  return (
    <div
      class="result result-approved"
      data-testid="result-approved"
      data-order-seq={outcome.seq}
      data-offline={String(outcome.offline)}
      onClick={onDone}
      role="status"
    >
      <div class="result-body">
        <div class="result-mark">
          <IconCheck size={96} />
        </div>
        <p class="result-kicker">Approved</p>
        <h1 class="result-name" data-testid="result-name">
          {outcome.firstName ?? 'Thank you'}
        </h1>
        <p class="result-tab" data-testid="result-tab-total" data-amount={outcome.tabTotal}>
          Tab now {money(outcome.tabTotal, currency)}
        </p>
        <p class="result-amount" data-testid="result-amount">
          This order {money(outcome.total, currency)} · #{outcome.seq}
        </p>
        {outcome.offline && (
          <p class="result-tag" data-testid="result-offline">
            <IconWifiOff size={26} /> Offline sale · sent when the hub is back
          </p>
        )}
      </div>
      <div class="result-foot">
        <span>Touch for the next order</span>
        <span class="result-timer" style={{ animationDuration: `${APPROVED_SHOWS_MS}ms` }} />
      </div>
    </div>
  );
}

export function DeclinedScreen({ outcome, hint, onTryAgain, onBack }: { outcome: Declined; hint: string | null; onTryAgain: () => void; onBack: () => void }) {
  return (
    <div class="result result-declined" data-testid="result-declined" data-reason={outcome.reason} role="alert">
      <div class="result-body">
        <div class="result-mark">
          <IconX size={96} />
        </div>
        <p class="result-kicker">Declined</p>
        <h1 class="result-reason" data-testid="decline-reason">
          {DECLINE_TITLES[outcome.reason]}
        </h1>
        <p class="result-message" data-testid="decline-message">
          {outcome.message}
        </p>
        <p class="result-who">
          {outcome.firstName ? <strong data-testid="result-name">{outcome.firstName}</strong> : null}
          {outcome.firstName ? ' · ' : ''}
          <span class="mono">{outcome.bandUid}</span>
        </p>
        {DECLINE_ADVICE[outcome.reason] && <p class="result-advice">{DECLINE_ADVICE[outcome.reason]}</p>}
        {hint && (
          <p class="result-hint" role="status" data-testid="result-bounce-hint">
            {hint}
          </p>
        )}
      </div>
      <div class="result-actions">
        <button type="button" class="button button-big button-on-color-ghost" data-testid="result-back" onClick={onBack}>
          Back to order
        </button>
        <button type="button" class="button button-big button-on-color" data-testid="result-try-again" onClick={onTryAgain}>
          Try again
        </button>
      </div>
    </div>
  );
}
