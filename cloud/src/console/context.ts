import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleEventSummary, Role, SignedInSession } from './api-types.ts';

/** What every signed-in screen knows: who is signed in, the organisation's events and the one picked in the top bar. */
export interface ConsoleState {
  session: SignedInSession;
  /** The event picked in the top bar; null when the organisation has none. */
  event: ConsoleEventSummary | null;
  pickEvent(eventId: string): void;
  /** Reloads the session (user, role, events) from the server. */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  /** True when the signed-in role is at least `role`. */
  can(role: Role): boolean;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole() outside the signed-in console');
  return state;
}
