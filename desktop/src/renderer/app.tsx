import type { Connection } from './bridge.ts';
import { OfflineBanner } from './components/banners.tsx';
import { IconSpinner, LogoMark } from './components/icons.tsx';
import { StatusBar } from './components/status-bar.tsx';
import { BridgeContext, useKiosk } from './hooks/use-kiosk.ts';
import { ConfiguringScreen } from './screens/configuring.tsx';
import { DeskScreen } from './screens/desk/desk.tsx';
import { LoginScreen } from './screens/login.tsx';
import { PairingScreen } from './screens/pairing.tsx';
import { RevokedScreen } from './screens/revoked.tsx';
import { SellScreen } from './screens/sell.tsx';
import { StationChoiceScreen } from './screens/station-choice.tsx';

/** Which screen shows follows the kiosk's state (setup, staff); each screen keeps its own local steps. */
export function App({ conn }: { conn: Connection }) {
  const { state, hubs, responding, error } = useKiosk(conn);
  let screen;
  if (!state) {
    screen = (
      <main class="screen centered" data-testid="screen-starting">
        <div class="waiting-card">
          <LogoMark size={64} />
          <h1>Starting Tapline…</h1>
          {error ? <p class="form-error">{error}</p> : <IconSpinner size={40} />}
        </div>
      </main>
    );
  } else if (state.revoked) screen = <RevokedScreen state={state} revoked={state.revoked} />;
  else if (state.setup === 'unpaired') screen = <PairingScreen state={state} hubs={hubs} />;
  else if (state.setup === 'configuring') screen = <ConfiguringScreen state={state} />;
  else if (state.setup === 'no_station') screen = <StationChoiceScreen state={state} />;
  else if (!state.staff) screen = <LoginScreen state={state} />;
  else if (state.station?.mode === 'registration') screen = <DeskScreen state={state} key={state.staff.id} />;
  // keyed by staff so a new login always starts on a fresh order
  else screen = <SellScreen state={state} key={state.staff.id} />;

  return (
    <BridgeContext.Provider value={conn.bridge}>
      <div class="app" data-setup={state?.setup ?? 'starting'} data-revoked={state?.revoked ? 'true' : 'false'} data-transport={conn.transport}>
        {state && state.setup !== 'unpaired' && !state.revoked && <StatusBar state={state} />}
        {state?.offline.active && state.setup === 'ready' && !state.revoked && <OfflineBanner state={state} />}
        {screen}
        {!responding && (
          <div class="unresponsive" role="alert" data-testid="kiosk-unresponsive">
            <IconSpinner size={56} />
            <h1>Kiosk process not responding</h1>
            <p>Reconnecting… Sales already approved are stored on this terminal and are safe.</p>
          </div>
        )}
      </div>
    </BridgeContext.Provider>
  );
}
