import type { KioskState } from '../../kiosk/api.ts';
import { IconPower } from '../components/icons.tsx';
import { orderTime, plural } from '../logic/words.ts';

type Revoked = NonNullable<KioskState['revoked']>;

/**
 * Head office switched this terminal off (a lost or stolen kiosk): nothing can be sold or registered here. Says what
 * to do, and shows the terminal id the supervisor looks for in the console. Goes by itself once head office switches
 * it back on (the kiosk keeps asking the hub).
 */
export function RevokedScreen({ state, revoked }: { state: KioskState; revoked: Revoked }) {
  const pending = state.pending;
  return (
    <main class="screen revoked" data-testid="screen-revoked" data-terminal-id={revoked.terminalId ?? ''} data-pending={pending} role="alert">
      <div class="revoked-card">
        <div class="revoked-icon">
          <IconPower size={64} />
        </div>
        <p class="revoked-kicker">Switched off</p>
        <h1>This terminal has been switched off by head office</h1>
        <p class="lead">
          It cannot sell, void or register wristbands. <strong>Call your supervisor</strong>: head office can switch it back on in the
          console, under Devices, with the terminal ID below.
        </p>
        <div class="revoked-id">
          <span class="revoked-id-label">Terminal ID</span>
          <span class="revoked-id-value mono" data-testid="revoked-terminal-id">
            {revoked.terminalId ?? '—'}
          </span>
        </div>
        <dl class="facts revoked-facts">
          <div>
            <dt>Terminal</dt>
            <dd>{state.terminalName ?? '—'}</dd>
          </div>
          <div>
            <dt>Switched off</dt>
            <dd>{orderTime(revoked.since)}</dd>
          </div>
          <div>
            <dt>Not yet sent</dt>
            <dd data-testid="revoked-pending" data-count={pending} class={pending > 0 ? 'text-warn' : ''}>
              {pending > 0 ? plural(pending, 'order') : 'Nothing'}
            </dd>
          </div>
        </dl>
        <p class="revoked-message" data-testid="revoked-message">
          Hub: “{revoked.message}”
        </p>
        <p class="muted revoked-foot">
          {pending > 0
            ? `The ${plural(pending, 'order')} made here and not yet sent ${pending === 1 ? 'is' : 'are'} kept safely on this terminal and sent once it is switched back on. `
            : ''}
          This screen goes away by itself when head office switches the terminal back on.
        </p>
      </div>
    </main>
  );
}
