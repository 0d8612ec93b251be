import { useState } from 'preact/hooks';
import type { KioskState } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { IconLock } from '../components/icons.tsx';
import { applyKey, Keypad, PinDots, useKeyboardPad, type PadKey } from '../components/keypad.tsx';
import { useBridge, useNow } from '../hooks/use-kiosk.ts';
import { clockTime, longDate } from '../logic/words.ts';

/** Staff log in with their PIN; a wrong one shakes, too many lock the terminal for a while. */
export function LoginScreen({ state }: { state: KioskState }) {
  const bridge = useBridge();
  const now = useNow();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ code: string; message: string; seq: number } | null>(null);

  const submit = async (value: string) => {
    if (value.length < 4 || busy) return;
    setBusy(true);
    try {
      await bridge.call('login', { pin: value });
      // The next state (staff set) replaces this screen.
    } catch (err) {
      const e = toCallError(err);
      setFailure((f) => ({ code: e.code, message: e.message, seq: (f?.seq ?? 0) + 1 }));
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  const onKey = (key: PadKey) => {
    if (key === 'enter') void submit(pin);
    else {
      setPin((p) => applyKey(p, key, 8));
    }
  };
  useKeyboardPad(!busy, onKey);
  const locked = failure?.code === 'locked_out';

  return (
    <main class="screen login" data-testid="screen-login">
      <section class="login-info">
        <time class="login-clock">{clockTime(now)}</time>
        <p class="login-date">{longDate(now)}</p>
        <div class="login-where">
          <p class="login-event" data-testid="login-event">
            {state.event?.name ?? 'No event'}
          </p>
          <p class="login-station" data-testid="login-station">
            {state.station?.name ?? '—'}
          </p>
          <p class="muted">{state.terminalName}</p>
        </div>
      </section>
      <section class="login-pad">
        <div class="pin-card">
          <h1 class="pin-title">Enter your staff PIN</h1>
          <PinDots value={pin} slots={4} shakeKey={failure?.seq ?? 0} error={Boolean(failure) && pin.length === 0} testid="pin-dots" />
          <p
            class={`pin-message${failure && pin.length === 0 ? (locked ? ' is-locked' : ' is-error') : ''}`}
            role={failure ? 'alert' : undefined}
            data-testid="login-error"
            data-code={failure?.code ?? ''}
            data-attempt={failure?.seq ?? 0}
          >
            {failure && pin.length === 0 ? (
              <>
                {locked && <IconLock size={20} />}
                {failure.message}
              </>
            ) : (
              '\u00a0'
            )}
          </p>
          <Keypad testid="pin-key" onKey={onKey} enterDisabled={pin.length < 4} disabled={busy} />
        </div>
      </section>
    </main>
  );
}
