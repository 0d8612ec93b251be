import { toString as qrToString } from 'qrcode';
import type { DeskAttendeeView } from './api.ts';
import type { DeskSearchResult } from '../runtime/index.ts';

/**
 * "+31 ••• ••• 0001": the first two and the last four digits, enough for the attendee to recognise their number and
 * for the queue behind them to learn nothing. (Two digits, not "the country code": those are one to three long.)
 */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '•••';
  return `+${digits.slice(0, 2)} ••• ••• ${digits.slice(-4)}`;
}

/** "em•••@example.com": the first two letters of the mailbox and the whole domain. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length - 1) || 1)}•••${email.slice(at)}`;
}

export function attendeeView(a: DeskSearchResult, cardQrSvg: string | null = null): DeskAttendeeView {
  return {
    id: a.id,
    firstName: a.firstName,
    lastName: a.lastName,
    email: a.email,
    phone: a.phone,
    phoneMasked: maskPhone(a.phone),
    emailMasked: maskEmail(a.email),
    smsConsent: a.smsConsent,
    cardStatus: a.cardStatus,
    cardLast4: a.cardLast4,
    confirmationCode: a.confirmationCode,
    cardUrl: a.cardUrl,
    cardQrSvg,
    bands: a.bands.map((b) => ({ uid: b.uid, status: b.status })),
  };
}

/**
 * The card page's address as an SVG QR code, made here rather than in the screens so the renderer bundle stays small.
 * Dark modules on white with a quiet zone: phone cameras read that best, whatever the kiosk's dark theme.
 */
export async function qrSvg(url: string): Promise<string> {
  return qrToString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#0a0d12ff', light: '#ffffffff' } });
}
