import { createHash, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { HubDrizzle } from './open.ts';
import { terminals } from './schema.ts';

export type TerminalRow = typeof terminals.$inferSelect;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function insertTerminal(db: HubDrizzle, t: { id: string; name: string; token: string; pairedAt: string }): void {
  db.insert(terminals).values({ id: t.id, name: t.name, tokenHash: hashToken(t.token), pairedAt: t.pairedAt }).run();
}

/** The terminal whose token this is, or undefined; compares hashes in constant time. */
export function authenticateTerminal(db: HubDrizzle, terminalId: string, token: string): TerminalRow | undefined {
  const row = db.select().from(terminals).where(eq(terminals.id, terminalId)).get();
  if (!row) return undefined;
  const expected = Buffer.from(row.tokenHash, 'hex');
  const given = Buffer.from(hashToken(token), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? row : undefined;
}

export function touchTerminal(db: HubDrizzle, terminalId: string, at: string): void {
  db.update(terminals).set({ lastSeenAt: at }).where(eq(terminals.id, terminalId)).run();
}

export function listTerminals(db: HubDrizzle): TerminalRow[] {
  return db.select().from(terminals).orderBy(terminals.pairedAt).all();
}
