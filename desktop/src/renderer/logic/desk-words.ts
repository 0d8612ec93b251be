import type { CardStatusView, PairRefusal } from '../../kiosk/api.ts';

export const PAIR_REFUSAL_TITLES: Record<PairRefusal, string> = {
  band_blocked: 'Blocked band',
  band_taken: 'Someone else’s band',
  unknown_attendee: 'Attendee not known here',
  replaced_band_not_blocked: 'The old band is not blocked yet',
  attendee_has_band: 'Already has a band',
};

export const CARD_WORDS: Record<CardStatusView, string> = {
  ready: 'Card ready',
  pending: 'Card pending',
  none: 'No card',
  failed: 'Card failed',
};

/** What the reasons a band is blocked are called on screen, and what is stored. */
export const BLOCK_REASONS = [
  { id: 'lost', label: 'Lost' },
  { id: 'stolen', label: 'Stolen' },
  { id: 'other', label: 'Other' },
] as const;
export type BlockReasonId = (typeof BLOCK_REASONS)[number]['id'];

/** "…0001A3": the end of a band number, which is what differs between the bands in one box. */
export function shortBand(uid: string): string {
  return `••${uid.slice(-6)}`;
}

/** A confirmation code as the scanner reads it: eight capitals or digits. */
export function looksLikeConfirmationCode(q: string): boolean {
  return /^[A-Z0-9]{8}$/.test(q.trim().toUpperCase());
}

export function initials(first: string, last: string | null): string {
  return `${first.charAt(0)}${last?.charAt(0) ?? ''}`.toUpperCase();
}

export function fullName(a: { firstName: string; lastName: string | null }): string {
  return a.lastName ? `${a.firstName} ${a.lastName}` : a.firstName;
}
