import type { KioskState } from '../../kiosk/api.ts';
import { money } from '../logic/money.ts';
import { readerProblemTitle } from '../logic/words.ts';
import { IconPlug, IconSpinner, IconWifiOff } from './icons.tsx';

/** Selling without the hub: says so, and how much this terminal may still take. */
export function OfflineBanner({ state }: { state: KioskState }) {
  if (state.station?.mode === 'registration') {
    return (
      <div class="banner banner-warn" role="status" data-testid="offline-banner">
        <IconWifiOff size={26} />
        <p>
          <strong>Offline: the hub is unreachable.</strong> Searching needs the hub; sign-ups, pairings and blocks are kept on this desk
          and sent when it is back.
        </p>
      </div>
    );
  }
  const currency = state.event?.currency ?? 'EUR';
  const left = Math.max(0, state.offline.terminalCap - state.offline.terminalSpent);
  return (
    <div class="banner banner-warn" role="status" data-testid="offline-banner" data-left={left}>
      <IconWifiOff size={26} />
      <p>
        <strong>Offline: the hub is unreachable.</strong> Selling to known wristbands within offline limits —{' '}
        <strong class="nowrap">
          {money(left, currency)} of {money(state.offline.terminalCap, currency)}
        </strong>{' '}
        left on this terminal.
      </p>
    </div>
  );
}

/** The reader is missing or its service is down: unmissable, with what to do about it. */
export function ReaderPanel({ state }: { state: KioskState }) {
  const { reader } = state;
  const starting = reader.status === 'starting';
  return (
    <div class={`reader-panel${starting ? ' is-starting' : ''}`} role="alert" data-testid="reader-panel" data-status={reader.status}>
      <div class="reader-panel-icon">{starting ? <IconSpinner size={34} /> : <IconPlug size={34} />}</div>
      <div>
        <h3>{readerProblemTitle(reader.status)}</h3>
        <p>{reader.message}</p>
        {!starting && (
          <p class="muted">
            {reader.status === 'no_reader' ? "Check the reader's USB cable. " : ''}Until it works, a supervisor can enter band numbers by hand.
          </p>
        )}
      </div>
    </div>
  );
}
