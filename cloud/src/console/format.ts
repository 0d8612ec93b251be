import { formatMoney } from '@tapline/shared/money-units';

/* How the console writes times, dates and money (money: minor units with the event's currency, shared rule). */

export { formatMoney };

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

export function formatTime(iso: string | Date): string {
  return timeOnly.format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** "just now", "4 min ago", "3 h ago", then the date. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const s = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return formatDate(iso);
}

/** "2–4 Jun 2025" style span of an event, or '' when it has no dates. */
export function formatSpan(startsAt: string | null, endsAt: string | null): string {
  if (!startsAt) return '';
  if (!endsAt) return formatDate(startsAt);
  const a = new Date(startsAt);
  const b = new Date(endsAt);
  if (a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth()) {
    return `${a.getDate()}–${dateOnly.format(b)}`;
  }
  return `${dateOnly.format(a)} – ${dateOnly.format(b)}`;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1]![0] : '')).toUpperCase();
}

/** "Main stage · 2–4 Jun 2025": the venue (when it is not also the event's name) and the dates of an event. */
export function eventMeta(e: { name: string; venueName: string; startsAt: string | null; endsAt: string | null }, extra: string[] = []): string {
  return [e.venueName !== e.name ? e.venueName : '', ...extra, formatSpan(e.startsAt, e.endsAt)].filter(Boolean).join(' · ');
}
