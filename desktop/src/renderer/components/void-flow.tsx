import { useState } from 'preact/hooks';
import type { CallResults, RecentOrderView } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { useBridge } from '../hooks/use-kiosk.ts';
import { money } from '../logic/money.ts';
import { IconArrowRight } from './icons.tsx';
import { Modal } from './modal.tsx';
import { SupervisorPin } from './supervisor-pin.tsx';

export const VOID_REASONS = ['Wrong drink', 'Charged twice', 'Guest changed their mind', 'Spilled or broken', 'Test sale'] as const;

interface Props {
  order: RecentOrderView;
  currency: string;
  onCancel: () => void;
  onDone: (result: CallResults['voidOrder']) => void;
}

/** Why, then a supervisor's PIN, then the void: a new fact that cancels the sale on the guest's tab. */
export function VoidFlow({ order, currency, onCancel, onDone }: Props) {
  const bridge = useBridge();
  const [step, setStep] = useState<'reason' | 'pin'>('reason');
  const [choice, setChoice] = useState<string | null>(null);
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const [pinError, setPinError] = useState<{ message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reason = (choice ?? other).trim();

  const submit = async (supervisorPin: string) => {
    setBusy(true);
    try {
      onDone(await bridge.call('voidOrder', { orderId: order.id, supervisorPin, reason }));
    } catch (err) {
      const e = toCallError(err);
      if (e.code === 'wrong_pin' || e.code === 'not_supervisor' || e.code === 'locked_out') setPinError({ message: e.message });
      else {
        setError(e.message);
        setStep('reason');
      }
    } finally {
      setBusy(false);
    }
  };

  if (step === 'pin') {
    return (
      <SupervisorPin
        title={`Void order #${order.seq}`}
        reason={`Voiding ${money(order.total, currency)} ("${reason}") needs a supervisor.`}
        error={pinError}
        busy={busy}
        onSubmit={submit}
        onCancel={onCancel}
      />
    );
  }
  return (
    <Modal title={`Void order #${order.seq}`} subtitle={`${order.summary} · ${money(order.total, currency)}`} onClose={onCancel} testid="void-reason" wide>
      <p class="field-label">Why is this sale being voided?</p>
      <div class="reason-chips" role="radiogroup">
        {VOID_REASONS.map((r) => (
          <button
            type="button"
            role="radio"
            aria-checked={choice === r}
            class={`chip-button${choice === r ? ' is-active' : ''}`}
            data-testid={`void-reason-${VOID_REASONS.indexOf(r)}`}
            data-reason={r}
            onClick={() => setChoice(choice === r ? null : r)}
            key={r}
          >
            {r}
          </button>
        ))}
      </div>
      <label class="field">
        <span class="field-label">Or in your own words</span>
        <input
          class="text-input"
          type="text"
          maxLength={200}
          data-testid="void-reason-text"
          placeholder="What happened"
          value={other}
          onInput={(e) => {
            setOther(e.currentTarget.value);
            setChoice(null);
          }}
        />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="void-error">
          {error}
        </p>
      )}
      <div class="modal-actions">
        <button type="button" class="button button-secondary button-big" onClick={onCancel}>
          Keep the sale
        </button>
        <button type="button" class="button button-danger button-big" data-testid="void-continue" disabled={!reason} onClick={() => (setError(null), setStep('pin'))}>
          Void {money(order.total, currency)} <IconArrowRight size={24} />
        </button>
      </div>
    </Modal>
  );
}
