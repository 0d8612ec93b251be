import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { users } from '../db/schema.ts';
import { assignVenue, createOrganisation, createUser, normaliseEmail } from './accounts.ts';
import { DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME, DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from './accounts-demo-constants.ts';
import { audit } from './audit.ts';

export * from './accounts-demo-constants.ts';

/**
 * The demo's organisation owning the demo venue, with an owner (second factor enrolled with the known secret), a
 * manager (enrols at first sign-in) and a viewer. Idempotent: people already there are left as they are.
 */
export async function seedDemoAccounts(db: Db, venueId: string): Promise<{ usersCreated: number }> {
  await createOrganisation(db, { id: DEMO_ORGANISATION_ID, name: DEMO_ORGANISATION_NAME });
  await assignVenue(db, venueId, DEMO_ORGANISATION_ID);
  let usersCreated = 0;
  for (const u of Object.values(DEMO_USERS)) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, normaliseEmail(u.email)));
    if (existing) continue;
    await db.transaction(async (tx) => {
      const { id } = await createUser(tx, {
        organisationId: DEMO_ORGANISATION_ID,
        ...u,
        password: DEMO_PASSWORD,
        ...(u.role === 'owner' ? { totpSecret: DEMO_OWNER_TOTP_SECRET } : {}),
      });
      await audit(tx, { organisationId: DEMO_ORGANISATION_ID, userId: null, email: null }, 'team.member_added', `user:${id}`, {
        email: u.email,
        name: u.name,
        role: u.role,
        by: 'demo seed',
      });
    });
    usersCreated++;
  }
  return { usersCreated };
}
