import { useEffect, useState } from 'preact/hooks';
import type { KioskState, StationView } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { IconArrowRight, IconBar, IconDesk, IconSpinner } from '../components/icons.tsx';
import { SupervisorPin } from '../components/supervisor-pin.tsx';
import { useBridge } from '../hooks/use-kiosk.ts';
import { plural } from '../logic/words.ts';

/** Where is this terminal? Bars sell; registration desks find attendees and pair bands. */
export function StationChoiceScreen({ state }: { state: KioskState }) {
  const bridge = useBridge();
  const [stations, setStations] = useState<StationView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [needsSupervisor, setNeedsSupervisor] = useState<{ station: StationView; error: { message: string } | null } | null>(null);

  useEffect(() => {
    bridge.call('stations', {}).then(
      (list) => setStations([...list].sort((a, b) => (a.mode === b.mode ? a.name.localeCompare(b.name) : a.mode === 'bar' ? -1 : 1))),
      (err: unknown) => setError(toCallError(err).message),
    );
  }, [bridge, state.event?.id]);

  const choose = async (station: StationView, supervisorPin?: string) => {
    setBusy(station.id);
    setError(null);
    try {
      await bridge.call('chooseStation', supervisorPin ? { stationId: station.id, supervisorPin } : { stationId: station.id });
      setNeedsSupervisor(null);
    } catch (err) {
      const e = toCallError(err);
      if (e.code === 'not_supervisor' || e.code === 'wrong_pin') setNeedsSupervisor({ station, error: supervisorPin ? { message: e.message } : null });
      else setError(e.message);
    } finally {
      setBusy(null);
    }
  };

  const bars = stations?.filter((s) => s.mode === 'bar') ?? [];
  const desks = stations?.filter((s) => s.mode !== 'bar') ?? [];
  return (
    <main class="screen station-choice" data-testid="screen-stations">
      <div class="setup-body setup-wide">
        <h1 class="setup-title">Where is this terminal?</h1>
        <p class="setup-lead">{state.event ? `${state.event.name}: choose this terminal's station. A bar's menu follows the station.` : 'Choose this terminal’s station.'}</p>
        {error && (
          <p class="form-error" role="alert" data-testid="stations-error">
            {error}
          </p>
        )}
        {!stations && !error && (
          <p class="muted loading-line">
            <IconSpinner size={24} /> Loading stations…
          </p>
        )}
        <div class="station-grid">
          {bars.map((s) => (
            <button
              type="button"
              class="station-card"
              data-testid={`station-${s.id}`}
              data-name={s.name}
              disabled={busy !== null}
              onClick={() => choose(s)}
              key={s.id}
            >
              <span class="station-icon">{busy === s.id ? <IconSpinner size={30} /> : <IconBar size={30} />}</span>
              <span class="station-name">{s.name}</span>
              <span class="station-meta">
                Bar · {plural(s.products, 'product')}
              </span>
              <IconArrowRight size={26} class="station-arrow" />
            </button>
          ))}
        </div>
        {desks.length > 0 && (
          <>
            <h2 class="section-title">Registration desks</h2>
            <div class="station-grid">
              {desks.map((s) => (
                <button
                  type="button"
                  class="station-card"
                  data-testid={`station-${s.id}`}
                  data-name={s.name}
                  data-mode={s.mode}
                  disabled={busy !== null}
                  onClick={() => choose(s)}
                  key={s.id}
                >
                  <span class="station-icon">{busy === s.id ? <IconSpinner size={30} /> : <IconDesk size={30} />}</span>
                  <span class="station-name">{s.name}</span>
                  <span class="station-meta">Find attendees · pair and block bands</span>
                  <IconArrowRight size={26} class="station-arrow" />
                </button>
              ))}
            </div>
          </>
        )}
      </div>
      {needsSupervisor && (
        <SupervisorPin
          title={`Move to ${needsSupervisor.station.name}`}
          reason="Changing this terminal's station needs a supervisor."
          error={needsSupervisor.error}
          busy={busy !== null}
          onSubmit={(pin) => choose(needsSupervisor.station, pin)}
          onCancel={() => setNeedsSupervisor(null)}
        />
      )}
    </main>
  );
}
