import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { FoundHubView, KioskBridge, KioskEvents, KioskState } from '../../kiosk/api.ts';
import { toCallError, type Connection } from '../bridge.ts';

export const BridgeContext = createContext<KioskBridge | null>(null);

export function useBridge(): KioskBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge outside <BridgeContext.Provider>');
  return bridge;
}

export interface KioskView {
  state: KioskState | null;
  hubs: FoundHubView[];
  responding: boolean;
  /** Set when even the first state could not be read. */
  error: string | null;
}

/** The kiosk process's state and found hubs, kept current from its events. */
export function useKiosk(conn: Connection): KioskView {
  const [state, setState] = useState<KioskState | null>(null);
  const [hubs, setHubs] = useState<FoundHubView[]>([]);
  const [responding, setResponding] = useState(conn.link.responding());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const offs = [
      conn.bridge.on('state', (s) => {
        setState(s);
        setError(null);
      }),
      conn.bridge.on('hubs', setHubs),
      conn.link.onChange(setResponding),
    ];
    // The web transport sends the state first on connect, Electron does not: ask either way.
    conn.bridge.call('state', {}).then(setState, (err: unknown) => setError(toCallError(err).message));
    conn.bridge.call('hubs', {}).then(setHubs, () => {});
    return () => offs.forEach((off) => off());
  }, [conn]);

  return { state, hubs, responding, error };
}

/** Subscribes to a kiosk event with a handler that may change on every render without resubscribing. */
export function useKioskEvent<E extends keyof KioskEvents>(event: E, handler: (payload: KioskEvents[E]) => void): void {
  const bridge = useBridge();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => bridge.on(event, (p) => ref.current(p)), [bridge, event]);
}

/** The time, refreshed often enough for a clock that shows minutes. */
export function useNow(everyMs = 5000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
