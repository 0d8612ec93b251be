import { and, count, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { registrationConflicts, registrationFacts } from '../db/schema.ts';
import type { ClashKind } from './registration-clash.ts';

export interface ConflictFact {
  id: string;
  kind: 'signup' | 'pairing' | 'block';
  hubId: string;
  terminalId: string;
  /** The terminal's clock when the fact was made: the clash rule's first key. */
  createdAt: string;
  receivedAt: string;
  body: unknown;
}

export interface RegistrationConflictView {
  kind: ClashKind;
  bandUid: string;
  attendeeId: string;
  /** When the cloud first found this pairing losing, and when its verdict last changed. */
  detectedAt: string;
  updatedAt: string;
  loser: ConflictFact;
  winner: ConflictFact;
}

export interface ConflictPage {
  conflicts: RegistrationConflictView[];
  total: number;
  /** Pass as `before` for the next (older) page; null on the last one. */
  next: string | null;
}

/** The event's losing pairings with both facts, newest first, `limit` at a time (`before`: the previous page's `next`). */
export async function listRegistrationConflicts(
  q: Queryable,
  eventId: string,
  options: { limit: number; before?: { detectedAt: string; loserId: string }; kind?: ClashKind },
): Promise<ConflictPage> {
  const scope = and(eq(registrationConflicts.eventId, eventId), options.kind ? eq(registrationConflicts.kind, options.kind) : undefined);
  const b = options.before;
  const rows = await q
    .select()
    .from(registrationConflicts)
    .where(
      and(
        scope,
        b
          ? or(
              lt(registrationConflicts.detectedAt, b.detectedAt),
              and(eq(registrationConflicts.detectedAt, b.detectedAt), lt(registrationConflicts.loserFactId, b.loserId)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(registrationConflicts.detectedAt), desc(registrationConflicts.loserFactId))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const ids = [...new Set(page.flatMap((r) => [r.loserFactId, r.winnerFactId]))];
  const facts = new Map<string, ConflictFact>();
  if (ids.length) {
    for (const f of await q
      .select({
        id: registrationFacts.id,
        kind: registrationFacts.kind,
        hubId: registrationFacts.hubId,
        terminalId: registrationFacts.terminalId,
        receivedAt: registrationFacts.receivedAt,
        body: registrationFacts.body,
      })
      .from(registrationFacts)
      .where(inArray(registrationFacts.id, ids))) {
      facts.set(f.id, { ...f, createdAt: (f.body as { createdAt: string }).createdAt, receivedAt: new Date(f.receivedAt).toISOString() });
    }
  }
  const [total] = await q.select({ n: count() }).from(registrationConflicts).where(scope);
  const conflicts = page.map((r) => {
    const loser = facts.get(r.loserFactId)!;
    const body = loser.body as { bandUid: string; attendeeId: string };
    return {
      kind: r.kind,
      bandUid: body.bandUid,
      attendeeId: body.attendeeId,
      detectedAt: new Date(r.detectedAt).toISOString(),
      updatedAt: new Date(r.updatedAt).toISOString(),
      loser,
      winner: facts.get(r.winnerFactId)!,
    };
  });
  const last = rows.length > options.limit ? page.at(-1) : undefined;
  return { conflicts, total: total?.n ?? 0, next: last ? encodeCursor({ detectedAt: last.detectedAt, loserId: last.loserFactId }) : null };
}

/** Opaque to clients; keeps the database's own timestamp text, so rows of one transaction (same `now()`) page by id. */
export function encodeCursor(c: { detectedAt: string; loserId: string }): string {
  return Buffer.from(JSON.stringify([c.detectedAt, c.loserId])).toString('base64url');
}

export function decodeCursor(s: string): { detectedAt: string; loserId: string } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') return undefined;
    if (v[0].length > 40 || !/^\d{4}-\d\d-\d\d[ T][\d:.]+([+-]\d\d(:?\d\d)?|Z)$/.test(v[0])) return undefined;
    return { detectedAt: v[0], loserId: v[1] };
  } catch {
    return undefined;
  }
}
