import type { OrderFact, ParsedFact, RegistrationFact } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { registrationFacts } from '../db/schema.ts';

/** The two tables of facts: one id space across both (see ingest.ts). */
export type FactTable = 'orders' | 'registration_facts';

/**
 * The fingerprints stored under `ids` in `table`. The ids travel as one JSON parameter: a batch of 1,000 is one
 * short statement, not 1,000 parameters to bind.
 */
export async function storedFingerprints(tx: Tx, table: FactTable, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await queryRows<{ id: string; fingerprint: string }>(
    tx,
    sql`select id, fingerprint from ${sql.identifier(table)}
        where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`,
  );
  return new Map(rows.map((r) => [r.id, r.fingerprint]));
}

/**
 * Inserts sales and voids with ON CONFLICT (id) DO NOTHING, skipping any id already stored as a registration fact
 * (one id space: the caller judges it against that one), and answers the ids it inserted. The rows travel as one
 * JSON document read by `jsonb_to_recordset`: a multi-row VALUES of 1,000 orders is 14,000 parameters, which cost
 * more to build and bind than the insert itself. Each body is the canonical JSON the fingerprint was taken of.
 */
async function insertOrderRows(tx: Tx, venueId: string, hubId: string, facts: readonly ParsedFact[]): Promise<Set<string>> {
  const rows = facts.map((p) => {
    const f = p.fact as OrderFact;
    const columns = JSON.stringify({
      id: f.id,
      event_id: f.eventId,
      terminal_id: f.terminalId,
      seq: f.seq,
      kind: f.kind,
      band_uid: f.bandUid,
      total: f.kind === 'sale' ? f.total : null,
      currency: f.kind === 'sale' ? f.currency : null,
      voids_order_id: f.kind === 'void' ? f.voidsOrderId : null,
      fingerprint: p.fingerprint,
      terminal_created_at: f.createdAt,
    });
    return `${columns.slice(0, -1)},"body":${p.canonical ?? JSON.stringify(f)}}`;
  });
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`insert into orders (id, venue_id, hub_id, event_id, terminal_id, seq, kind, band_uid, total, currency, voids_order_id,
                            body, fingerprint, terminal_created_at)
        select r.id, ${venueId}, ${hubId}, r.event_id, r.terminal_id, r.seq, r.kind, r.band_uid, r.total, r.currency,
               r.voids_order_id, r.body, r.fingerprint, r.terminal_created_at
        from jsonb_to_recordset(${`[${rows.join(',')}]`}::jsonb) as r(
          id uuid, event_id text, terminal_id text, seq integer, kind text, band_uid text, total bigint, currency text,
          voids_order_id uuid, body jsonb, fingerprint text, terminal_created_at timestamptz)
        where not exists (select 1 from registration_facts rf where rf.id = r.id)
        on conflict (id) do nothing
        returning id`,
  );
  return new Set(inserted.map((r) => r.id));
}

/** Registration facts are a handful per attendee, against many sales: the plain drizzle insert. */
async function insertRegistrationRows(tx: Tx, venueId: string, hubId: string, facts: readonly ParsedFact[]): Promise<Set<string>> {
  const rows = facts.map((p): typeof registrationFacts.$inferInsert => {
    const f = p.fact as RegistrationFact;
    return {
      id: f.id,
      venueId,
      hubId,
      eventId: f.eventId,
      terminalId: f.terminalId,
      seq: f.seq,
      kind: f.kind,
      bandUid: f.kind === 'signup' ? null : f.bandUid,
      attendeeId: f.kind === 'signup' ? f.attendee.id : f.kind === 'pairing' ? f.attendeeId : null,
      replacesBandUid: f.kind === 'pairing' ? f.replacesBandUid : null,
      body: f,
      fingerprint: p.fingerprint,
      terminalCreatedAt: f.createdAt,
    };
  });
  const inserted = await tx
    .insert(registrationFacts)
    .values(rows)
    .onConflictDoNothing({ target: registrationFacts.id })
    .returning({ id: registrationFacts.id });
  return new Set(inserted.map((r) => r.id));
}

/**
 * Inserts the offered facts of one kind with ON CONFLICT (id) DO NOTHING, records the fingerprint now stored under
 * each offered id in `stored`, and answers the ids it inserted. An id found among the other kind of fact is never
 * inserted: it is judged against that one, a conflict. Orders check that in their insert (a push of sales costs no
 * lookup of its own); registration facts, a handful, are looked up among orders first.
 */
export async function insertFacts(
  tx: Tx,
  table: FactTable,
  ctx: { venueId: string; hubId: string },
  offered: readonly ParsedFact[],
  stored: Map<string, string>,
): Promise<Set<string>> {
  if (!offered.length) return new Set();
  if (table === 'registration_facts') {
    for (const [id, fingerprint] of await storedFingerprints(tx, 'orders', offered.map((p) => p.fact.id))) stored.set(id, fingerprint);
  }
  const fresh = offered.filter((p) => !stored.has(p.fact.id));
  const inserted = !fresh.length
    ? new Set<string>()
    : table === 'orders'
      ? await insertOrderRows(tx, ctx.venueId, ctx.hubId, fresh)
      : await insertRegistrationRows(tx, ctx.venueId, ctx.hubId, fresh);
  for (const p of fresh) if (inserted.has(p.fact.id)) stored.set(p.fact.id, p.fingerprint);
  const missing = fresh.filter((p) => !inserted.has(p.fact.id)).map((p) => p.fact.id);
  if (missing.length) {
    // Stored before (a resend), or, for an order, as a registration fact.
    for (const [id, fingerprint] of await storedFingerprints(tx, table, missing)) stored.set(id, fingerprint);
    if (table === 'orders') {
      const left = missing.filter((id) => !stored.has(id));
      for (const [id, fingerprint] of await storedFingerprints(tx, 'registration_facts', left)) stored.set(id, fingerprint);
    }
  }
  return inserted;
}
