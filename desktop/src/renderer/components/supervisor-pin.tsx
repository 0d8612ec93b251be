import { useEffect, useState } from 'preact/hooks';
import { IconShield } from './icons.tsx';
import { applyKey, Keypad, PinDots, useKeyboardPad, type PadKey } from './keypad.tsx';
import { Modal } from './modal.tsx';

interface Props {
  title: string;
  /** Why a supervisor is needed, in one sentence. */
  reason: string;
  /** A new object for each refusal, so the same message twice still clears the dots and shakes. */
  error: { message: string } | null;
  busy?: boolean;
  onSubmit: (pin: string) => void;
  onCancel: () => void;
}

/** A supervisor types their PIN on this kiosk; the kiosk process checks it with the call it guards. */
export function SupervisorPin({ title, reason, error, busy, onSubmit, onCancel }: Props) {
  const [pin, setPin] = useState('');
  const [shake, setShake] = useState(0);
  useEffect(() => {
    if (error) {
      setPin('');
      setShake((n) => n + 1);
    }
  }, [error]);
  const onKey = (key: PadKey) => {
    if (key === 'enter') {
      if (pin.length >= 4) onSubmit(pin);
    } else setPin((p) => applyKey(p, key, 8));
  };
  useKeyboardPad(!busy, onKey);
  return (
    <Modal title={title} onClose={onCancel} testid="supervisor-pin">
      <div class="supervisor">
        <p class="supervisor-reason">
          <IconShield size={26} />
          {reason}
        </p>
        <p class="pin-label">Supervisor PIN</p>
        <PinDots value={pin} slots={4} shakeKey={shake} error={Boolean(error)} testid="supervisor-dots" />
        <p class={`pin-message${error ? ' is-error' : ''}`} role={error ? 'alert' : undefined} data-testid="supervisor-error">
          {error?.message ?? '\u00a0'}
        </p>
        <Keypad testid="supervisor-key" onKey={onKey} enterDisabled={pin.length < 4} disabled={busy} compact />
      </div>
    </Modal>
  );
}
