import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import type { AddMemberResponse, TeamResponse } from '../../console/api-types.ts';
import { addMember, changeRole, listMembers, removeMember, scopedMember } from '../../services/accounts.ts';
import { parseBody } from '../parse-body.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

const RoleSchema = z.enum(['owner', 'manager', 'viewer']);
const AddMember = z.object({
  email: z.email({ message: 'enter an e-mail address such as sam@example.com' }).max(254),
  name: z.string().trim().min(1, { message: 'enter the person\u2019s name' }).max(120),
  role: RoleSchema,
});
const ChangeRole = z.object({ role: RoleSchema });

/** The team: everyone signed in sees it; only owners add people, change roles and remove people. */
export function teamRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();

  router.get('/v1/console/team', async (_req, res) => {
    res.json({ members: await listMembers(db, consoleCaller(res).organisationId) } satisfies TeamResponse);
  });

  router.post('/v1/console/team', requireUser(db, 'owner'), async (req, res) => {
    const body = parseBody(AddMember, req.body);
    res.status(201).json((await addMember(db, consoleCaller(res), body)) satisfies AddMemberResponse);
  });

  router.patch('/v1/console/team/:userId', requireUser(db, 'owner'), async (req, res) => {
    // The member is looked up before the body is read: another organisation's id is a 404 whatever the body.
    const member = await scopedMember(db, consoleCaller(res), String(req.params.userId));
    const { role } = parseBody(ChangeRole, req.body);
    await changeRole(db, consoleCaller(res), member.id, role);
    res.json({ members: await listMembers(db, consoleCaller(res).organisationId) } satisfies TeamResponse);
  });

  router.delete('/v1/console/team/:userId', requireUser(db, 'owner'), async (req, res) => {
    await removeMember(db, consoleCaller(res), String(req.params.userId));
    res.json({ members: await listMembers(db, consoleCaller(res).organisationId) } satisfies TeamResponse);
  });

  return router;
}
