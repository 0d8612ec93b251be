/*
 * An event's SMS receipt wording: a template with {placeholders}. Pure, no imports: the receipt job renders it and the
 * console's Set-up screen renders the same function for its live preview, so the preview is what attendees get.
 */

export const SMS_PLACEHOLDERS = ['event', 'amount', 'first_name', 'link'] as const;
export type SmsPlaceholder = (typeof SMS_PLACEHOLDERS)[number];

/** What receipts said before wording could be set; an event without its own wording still sends exactly this. */
export const DEFAULT_RECEIPT_TEMPLATE = '{event}: {amount} added to your tab. See your tab: {link}';

/** Long enough for a friendly sentence; with a ~60-character link and the reference it stays within 3 SMS segments. */
export const MAX_RECEIPT_TEMPLATE = 320;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Why the template cannot be used, in a sentence; null when it is good. */
export function receiptTemplateProblem(template: string): string | null {
  const t = template.trim();
  if (t.length === 0) return 'Write the receipt text.';
  if (t.length > MAX_RECEIPT_TEMPLATE) return `Keep the receipt text to ${MAX_RECEIPT_TEMPLATE} characters (it has ${t.length}).`;
  const unknown = [...t.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((p) => !(SMS_PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length) {
    return `Unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')}; use ${SMS_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;
  }
  if (!t.includes('{link}')) return 'Keep {link} in the receipt: it is how the attendee opens their tab.';
  return null;
}

/** The template with its placeholders filled in (a missing value leaves an empty string). */
export function renderReceiptTemplate(template: string, values: Record<SmsPlaceholder, string>): string {
  return template.trim().replace(PLACEHOLDER, (whole, name: string) => ((SMS_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as SmsPlaceholder] : whole));
}
