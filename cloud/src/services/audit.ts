import { count, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { auditLog } from '../db/schema.ts';
import type { ConsoleCaller } from './accounts-scope.ts';

/*
 * The audit log: one row per change a person makes in the console, written with `audit()` inside the same
 * transaction as the change, so a change without its row (or a row without its change) cannot exist.
 */

/** Who acted: a signed-in console user, or the platform/system acting for an organisation. */
export type AuditActor = Pick<ConsoleCaller, 'organisationId' | 'userId' | 'email'> | { organisationId: string; userId: null; email: string | null };

export interface AuditEntry {
  id: number;
  at: string;
  userId: string | null;
  actorEmail: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/** Records `action` on `target` (e.g. 'team.role_changed', 'user:<id>'). Pass the transaction that makes the change. */
export async function audit(tx: Queryable, caller: AuditActor, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
  await tx.insert(auditLog).values({
    organisationId: caller.organisationId,
    userId: caller.userId,
    actorEmail: caller.email,
    action,
    target,
    details,
  });
}

/** A page of the organisation's audit log, newest first. */
export async function listAudit(
  db: Queryable,
  organisationId: string,
  page: { page: number; pageSize: number },
): Promise<{ entries: AuditEntry[]; total: number }> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(eq(auditLog.organisationId, organisationId))
    .orderBy(desc(auditLog.id))
    .limit(page.pageSize)
    .offset((page.page - 1) * page.pageSize);
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(auditLog).where(eq(auditLog.organisationId, organisationId));
  return {
    total: Number(total),
    entries: rows.map((r) => ({
      id: r.id,
      at: new Date(r.createdAt).toISOString(),
      userId: r.userId,
      actorEmail: r.actorEmail,
      action: r.action,
      target: r.target,
      details: (r.details ?? {}) as Record<string, unknown>,
    })),
  };
}
