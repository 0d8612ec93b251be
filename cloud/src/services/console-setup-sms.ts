import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { eventSmsSettings } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import type { ConsoleCaller, ScopedEvent } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { DEFAULT_RECEIPT_TEMPLATE, receiptTemplateProblem } from './console-setup-sms-template.ts';

/** The event's own receipt wording; null when it uses the default. */
export async function readReceiptTemplate(db: Queryable, eventId: string): Promise<string | null> {
  const [row] = await db.select({ template: eventSmsSettings.receiptTemplate }).from(eventSmsSettings).where(eq(eventSmsSettings.eventId, eventId));
  return row?.template ?? null;
}

/**
 * Sets the event's receipt wording (the default's text clears it). Receipts queued from then on use it; messages
 * already queued keep theirs.
 */
export async function saveReceiptTemplate(db: Db, caller: ConsoleCaller, event: ScopedEvent, template: string): Promise<void> {
  const problem = receiptTemplateProblem(template);
  if (problem) throw new HttpError(400, 'invalid_body', `receiptTemplate: ${problem}`);
  const text = template.trim();
  const before = (await readReceiptTemplate(db, event.id)) ?? DEFAULT_RECEIPT_TEMPLATE;
  if (before === text) return;
  await db.transaction(async (tx) => {
    if (text === DEFAULT_RECEIPT_TEMPLATE) await tx.delete(eventSmsSettings).where(eq(eventSmsSettings.eventId, event.id));
    else {
      await tx
        .insert(eventSmsSettings)
        .values({ eventId: event.id, receiptTemplate: text })
        .onConflictDoUpdate({ target: eventSmsSettings.eventId, set: { receiptTemplate: text, updatedAt: sql`now()` } });
    }
    await audit(tx, caller, 'setup.sms_wording_changed', `event:${event.id}`, { name: event.name, before, after: text });
  });
}
