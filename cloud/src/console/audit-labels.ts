import type { AuditEntry } from './api-types.ts';
import { formatMoney } from './format.ts';

/*
 * How the audit log names each action. Add a line when you add an audited action (`audit(tx, caller, 'x.y', …)`);
 * an action without a line shows its code.
 */
export const AUDIT_LABELS: Record<string, string> = {
  'auth.signed_in': 'Signed in',
  'auth.signed_out': 'Signed out',
  'auth.sign_in_failed': 'Failed sign-in attempt',
  'auth.totp_enrolled': 'Turned on two-factor sign-in',
  'team.member_added': 'Added a team member',
  'team.role_changed': 'Changed a role',
  'team.member_removed': 'Removed a team member',
  'setup.event_created': 'Created an event',
  'setup.event_changed': 'Changed the event',
  'setup.product_added': 'Added a product',
  'setup.product_changed': 'Changed a product',
  'setup.station_added': 'Added a station',
  'setup.station_changed': 'Changed a station',
  'setup.tax_set': 'Set a tax',
  'setup.tax_ended': 'Ended a tax',
  'setup.promotion_added': 'Added a promotion',
  'setup.promotion_changed': 'Changed a promotion',
  'setup.promotion_ended': 'Ended a promotion',
  'setup.sms_wording_changed': 'Changed the SMS receipt wording',
  'devices.venue_key_created': 'Created the venue key',
  'devices.venue_key_rotated': 'Rotated the venue key',
  'devices.venue_key_revoked': 'Revoked the venue key',
  'devices.terminal_revoked': 'Revoked a terminal',
  'devices.terminal_restored': 'Restored a revoked terminal',
  'tabs.refunded': 'Refunded an order',
  'tabs.order_voided': 'Voided an order',
  'payments.retried': 'Retried a card payment',
  'jobs.dead_letter_retried': 'Retried a failed background job',
  'exports.requested': 'Exported a CSV',
};

/** The tone of an action's dot in the log: failures stand out, removals warn. */
export function auditTone(action: string): 'danger' | 'warning' | 'accent' | 'neutral' {
  if (action.endsWith('_failed')) return 'danger';
  if (action.includes('removed') || action.includes('revoked') || action.includes('refund') || action.includes('void')) return 'warning';
  if (action.startsWith('auth.')) return 'neutral';
  return 'accent';
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** "productsAdded" → "products added", for field names listed as changed. */
function words(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/**
 * What a row's details say, read generically from the well-known keys every audited action uses (see the `audit(…)`
 * calls): the thing's name, an amount in money, `from → to`, what changed, the reason. Ids stay out: they are noise.
 */
export function describeDetails(e: AuditEntry): string {
  const d = e.details;
  const money = (amount: unknown): string | null =>
    num(amount) && str(d.currency) ? formatMoney(amount, d.currency.toUpperCase()) : null;
  const parts: string[] = [];
  // A member's name repeats the e-mail the "On" column shows; other names (product, promotion, event) do not.
  if (str(d.name) && !e.target.startsWith('user:')) parts.push(d.name);
  else if (str(d.venue) && e.target.startsWith('venue:')) parts.push(d.venue);
  if (str(d.category) && str(d.rate)) parts.push(`${d.category} ${d.rate}`);
  if (str(d.bandUid)) parts.push(`band ${d.bandUid}`);
  if (Array.isArray(d.bandUids) && d.bandUids.length) parts.push(`${d.bandUids.length} ${d.bandUids.length === 1 ? 'band' : 'bands'}`);
  if (str(d.terminalId)) parts.push(`terminal ${d.terminalId}`);
  const amount = money(d.amount) ?? (str(d.text) ? d.text : null) ?? money(d.price);
  if (amount) parts.push(amount);
  if (str(d.from) && str(d.to)) parts.push(`${d.from} → ${d.to}`);
  else if (Array.isArray(d.changed) && d.changed.length) parts.push(`changed ${(d.changed as string[]).map(words).join(', ')}`);
  else if (str(d.role)) parts.push(`as ${d.role}`);
  if (str(d.after)) parts.push(`now “${clip(d.after)}”`);
  if (str(d.what)) parts.push(d.what);
  if (str(d.kind) && !e.action.startsWith('setup.')) parts.push(words(d.kind));
  if (Array.isArray(d.factors)) parts.push((d.factors as string[]).join(' + '));
  if (str(d.factor)) parts.push(`wrong ${d.factor === 'totp' ? 'code' : 'password'}`);
  if (num(d.failures)) parts.push(`${d.failures} in a row`);
  if (num(d.lockedSeconds)) parts.push(`locked ${d.lockedSeconds} s`);
  if (str(d.reason)) parts.push(`“${clip(d.reason)}”`);
  if (str(d.by)) parts.push(`by ${d.by}`);
  return parts.join(' · ');
}
