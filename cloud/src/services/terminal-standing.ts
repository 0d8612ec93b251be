import { type TerminalStanding } from '@tapline/shared';
import { and, desc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { configChanges } from '../db/schema.ts';
import type { ConsoleCaller, ScopedVenue } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { appendConfig } from './config-log.ts';

/*
 * Revoking a terminal (a stolen kiosk): head office appends a `terminal` entity to the venue's configuration log; the
 * hub pulls it, disconnects the terminal and refuses it from then on. Restoring appends it again as active. The log is
 * the only record: the latest entity per terminal is its standing.
 */

/** The latest standing of every terminal head office has ever revoked or restored at the venue, by terminal id. */
export async function terminalStandings(db: Queryable, venueId: string): Promise<Map<string, TerminalStanding>> {
  const rows = await db
    .selectDistinctOn([configChanges.entityKey], { key: configChanges.entityKey, data: configChanges.data })
    .from(configChanges)
    .where(and(eq(configChanges.venueId, venueId), eq(configChanges.kind, 'terminal')))
    .orderBy(configChanges.entityKey, desc(configChanges.seq));
  return new Map(rows.map((r) => [r.key, r.data as TerminalStanding]));
}

/** Appends the terminal's new standing and audits it in one transaction; returns it. */
export async function setTerminalStanding(
  db: Db,
  caller: ConsoleCaller,
  venue: ScopedVenue,
  terminalId: string,
  status: TerminalStanding['status'],
  reason: string | null,
): Promise<TerminalStanding> {
  const standing: TerminalStanding = { id: terminalId, venueId: venue.id, status, reason };
  await db.transaction(async (tx) => {
    await appendConfig(tx, venue.id, [{ kind: 'terminal', data: standing }]);
    await audit(tx, caller, status === 'revoked' ? 'devices.terminal_revoked' : 'devices.terminal_restored', `venue:${venue.id}`, {
      venue: venue.name,
      terminalId,
      ...(reason ? { reason } : {}),
    });
  });
  return standing;
}
