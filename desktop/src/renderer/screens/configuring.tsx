import type { KioskState } from '../../kiosk/api.ts';
import { IconSpinner, IconWifiOff } from '../components/icons.tsx';

/** Paired, waiting for the hub's first configuration (event, menu, stations, staff, bands). */
export function ConfiguringScreen({ state }: { state: KioskState }) {
  const connected = state.hub.connected;
  return (
    <main class="screen centered" data-testid="screen-configuring">
      <div class="waiting-card">
        <div class={`waiting-icon${connected ? '' : ' is-bad'}`}>{connected ? <IconSpinner size={56} /> : <IconWifiOff size={56} />}</div>
        <h1>{connected ? 'Getting the menu from the hub…' : 'Waiting for the hub'}</h1>
        <p class="lead">
          {connected
            ? 'This terminal is paired. It is receiving the event, menu, staff and wristbands; this takes a few seconds.'
            : 'This terminal is paired but cannot reach the hub. Check the hub laptop is on and on the same network; the terminal keeps trying.'}
        </p>
        {connected && state.cloud.uplink !== 'online' && (
          <p class="muted" data-testid="configuring-cloud-hint">
            The hub has not reached head office yet. The menu arrives as soon as it does.
          </p>
        )}
        <dl class="facts">
          <div>
            <dt>Terminal</dt>
            <dd>{state.terminalName ?? '—'}</dd>
          </div>
          <div>
            <dt>Hub</dt>
            <dd class="mono">{state.hub.url?.replace(/^https?:\/\//, '') ?? '—'}</dd>
          </div>
          <div>
            <dt>Link</dt>
            <dd class={connected ? 'text-ok' : 'text-bad'}>{connected ? 'Connected' : 'Not connected'}</dd>
          </div>
        </dl>
      </div>
    </main>
  );
}
