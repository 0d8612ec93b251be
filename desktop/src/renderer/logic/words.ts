import type { DeclineReasonView, ReaderView, UplinkView } from '../../kiosk/api.ts';

/** Titles of the declined screen: short enough to read from two metres. */
export const DECLINE_TITLES: Record<DeclineReasonView, string> = {
  unknown_band: 'Unknown wristband',
  blocked: 'Wristband blocked',
  over_limit: 'Over tab limit',
  offline_allowance: 'Offline allowance used',
  offline_terminal_total: 'Terminal offline limit reached',
};

/**
 * What the bartender should do next, where the kiosk's own message does not already say it (the blocked and offline
 * messages do).
 */
export const DECLINE_ADVICE: Partial<Record<DeclineReasonView, string>> = {
  unknown_band: 'Send the guest to the registration desk to activate the wristband.',
  over_limit: 'The guest can raise the limit at the registration desk, or order less.',
};

export const UPLINK_WORDS: Record<UplinkView, string> = { online: 'Online', offline: 'Offline', unknown: 'Unknown' };

export function readerTitle(status: ReaderView['status']): string {
  switch (status) {
    case 'ready':
      return 'Ready';
    case 'starting':
      return 'Starting';
    case 'no_reader':
      return 'No reader';
    case 'no_service':
      return 'Not running';
  }
}

/** The headline of the panel shown instead of a working reader. */
export function readerProblemTitle(status: ReaderView['status']): string {
  switch (status) {
    case 'no_service':
      return 'Wristband reader unavailable';
    case 'starting':
      return 'Starting the wristband reader…';
    default:
      return 'No wristband reader connected';
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function clockTime(d: Date): string {
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

export function orderTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : clockTime(d);
}

/** "Monday 14 July" for the login screen. */
export function longDate(d: Date): string {
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' });
}

/** Group a pairing code the way the hub shows it: "170 376". */
export function groupCode(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** A re-tap the reader dropped as a bounce (the same band back within 0.8 s): calm, and says what to do. */
export const BOUNCE_HINT = 'Band already read. Lift it away from the reader, then tap again.';
