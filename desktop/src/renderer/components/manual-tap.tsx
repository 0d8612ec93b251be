import { useState } from 'preact/hooks';
import type { BandTap } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { useBridge } from '../hooks/use-kiosk.ts';
import { BandKeypad } from './band-keypad.tsx';
import { IconSpinner } from './icons.tsx';
import { applyKey, HEX_KEY, useKeyboardPad, type PadKey } from './keypad.tsx';
import { Modal } from './modal.tsx';
import { SupervisorPin } from './supervisor-pin.tsx';

interface Props {
  /** What the number will do, e.g. "Charge €12.00 to the band with this number." */
  subtitle: string;
  reason?: string;
  enterLabel?: string;
  onTap: (tap: BandTap) => void;
  onCancel: () => void;
}

/**
 * A broken reader: a supervisor's PIN, then the band number. The kiosk turns it into a tap like a real one (it also
 * arrives as a `tap` event; the sell screen ignores a tap id it has already handled).
 */
export function ManualTapFlow({ subtitle, reason = 'Charging a band by its number needs a supervisor.', enterLabel = 'Charge', onTap, onCancel }: Props) {
  const bridge = useBridge();
  const [step, setStep] = useState<'pin' | 'band'>('pin');
  const [pin, setPin] = useState('');
  const [band, setBand] = useState('');
  const [busy, setBusy] = useState(false);
  const [pinError, setPinError] = useState<{ message: string } | null>(null);
  const [bandError, setBandError] = useState<string | null>(null);

  const submit = async () => {
    if (!band || busy) return;
    setBusy(true);
    setBandError(null);
    try {
      onTap(await bridge.call('manualTap', { supervisorPin: pin, bandNumber: band }));
    } catch (err) {
      const e = toCallError(err);
      if (e.code === 'wrong_pin' || e.code === 'not_supervisor' || e.code === 'locked_out') {
        setPinError({ message: e.message });
        setStep('pin');
      } else setBandError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const onKey = (key: PadKey) => {
    if (key === 'enter') void submit();
    else setBand((b) => applyKey(b, key, 20));
  };
  useKeyboardPad(step === 'band' && !busy, onKey, HEX_KEY);

  if (step === 'pin') {
    return (
      <SupervisorPin
        title="Enter a band number"
        reason={reason}
        error={pinError}
        onSubmit={(p) => {
          setPin(p);
          setStep('band');
        }}
        onCancel={onCancel}
      />
    );
  }
  return (
    <Modal title="Band number" subtitle={subtitle} onClose={onCancel} testid="manual-band">
      <div class="band-entry">
        <div class="band-display" data-testid="band-display" data-value={band}>
          {band || <span class="placeholder">The 8 or 14 characters printed on the band</span>}
        </div>
        <p class={`pin-message${bandError ? ' is-error' : ''}`} role={bandError ? 'alert' : undefined} data-testid="band-error">
          {bandError ?? '\u00a0'}
        </p>
        <BandKeypad onKey={onKey} disabled={busy} enterDisabled={band.length === 0} enterLabel={busy ? '…' : enterLabel} />
        {busy && (
          <p class="muted loading-line">
            <IconSpinner size={22} /> Checking…
          </p>
        )}
      </div>
    </Modal>
  );
}
