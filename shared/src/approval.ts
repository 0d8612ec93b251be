import type { Event, Wristband } from './domain.ts';

export type DeclineReason = 'unknown_band' | 'blocked' | 'over_limit' | 'offline_allowance' | 'offline_terminal_total';

export type Decision = { approved: true } | { approved: false; reason: DeclineReason; message: string };

export interface ApprovalInput {
  event: Event;
  band: Wristband | undefined;
  amount: number;
  /** The band's tab as this terminal knows it. */
  tabTotal: number;
  /** Whether the terminal can reach the hub right now. */
  online: boolean;
  /** What this band has spent on this terminal while offline. */
  bandOfflineSpent: number;
  /** What this terminal has taken in all while offline. */
  terminalOfflineSpent: number;
}

/** The offline risk policy of the design notes, in one pure function the terminal calls before approving. */
export function decide(i: ApprovalInput): Decision {
  if (!i.band || i.band.eventId !== i.event.id) {
    return { approved: false, reason: 'unknown_band', message: 'This wristband is not registered for this event.' };
  }
  if (i.band.status === 'blocked') {
    return { approved: false, reason: 'blocked', message: 'This wristband has been blocked. Send the guest to the registration desk.' };
  }
  const limit = i.band.tabLimit ?? (i.band.hasCard ? Number.POSITIVE_INFINITY : i.event.noCardAllowance);
  if (i.tabTotal + i.amount > limit) {
    return { approved: false, reason: 'over_limit', message: 'This order would take the tab over its limit.' };
  }
  if (!i.online) {
    if (i.bandOfflineSpent + i.amount > i.event.offlineBandAllowance) {
      return { approved: false, reason: 'offline_allowance', message: "The band's offline allowance is used up until the hub is back." };
    }
    if (i.terminalOfflineSpent + i.amount > i.event.offlineTerminalTotal) {
      return { approved: false, reason: 'offline_terminal_total', message: "This terminal's offline total is used up until the hub is back." };
    }
  }
  return { approved: true };
}
