import type { Db } from '../../src/db/open.ts';
import { createOrganisation, createUser } from '../../src/services/accounts.ts';
import type { Role } from '../../src/services/accounts-scope.ts';
import { createSession } from '../../src/services/accounts-session.ts';
import { totpCode } from '../../src/services/accounts-totp.ts';

/*
 * A console client for tests: a cookie jar, the CSRF token from the session, JSON in and out. Sign in through the real
 * endpoints (`signIn`), or start from a session made in the database (`sessionClient`) when a test is about something
 * else than signing in.
 */

export interface ConsoleResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';
  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ConsoleResponse<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...(method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.remember(res);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a page): the text is the body.
    }
    const b = parsed as { csrfToken?: unknown };
    if (b && typeof b === 'object' && typeof b.csrfToken === 'string') this.csrfToken = b.csrfToken;
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Signs in through the endpoints; `totpSecret` answers the second step. Throws unless it ends signed in. */
  async signIn(email: string, password: string, totpSecret?: string, now: Date = new Date()): Promise<this> {
    await this.get('/v1/console/session');
    const first = await this.post('/v1/console/auth/sign-in', { email, password });
    if (first.status !== 200) throw new Error(`sign-in ${first.status}: ${JSON.stringify(first.body)}`);
    if (first.body.next === 'totp') {
      if (!totpSecret) throw new Error(`${email} needs a TOTP code`);
      const second = await this.post('/v1/console/auth/totp', { code: totpCode(totpSecret, now) });
      if (second.status !== 200) throw new Error(`totp ${second.status}: ${JSON.stringify(second.body)}`);
    } else if (first.body.next !== 'done') throw new Error(`sign-in wants ${first.body.next}`);
    const session = await this.get('/v1/console/session');
    if (!session.body.signedIn) throw new Error('not signed in after sign-in');
    return this;
  }
}

/** A client holding a full session made directly in the database for `userId` (no password, no TOTP). */
export async function sessionClient(baseUrl: string, db: Db, user: { userId: string; organisationId: string }): Promise<ConsoleClient> {
  const { id } = await createSession(db, { ...user, stage: 'full' });
  const client = new ConsoleClient(baseUrl);
  client.cookies.set('tl_session', id);
  const s = await client.get('/v1/console/session');
  if (!s.body.signedIn) throw new Error('the made session is not signed in');
  return client;
}

/** A second organisation with one user of each role (password `password-123`), for tenancy and role tests. */
export async function makeOrganisation(db: Db, id: string, name: string): Promise<{ id: string; users: Record<Role, { userId: string; email: string }> }> {
  await createOrganisation(db, { id, name });
  const users = {} as Record<Role, { userId: string; email: string }>;
  for (const role of ['owner', 'manager', 'viewer'] as const) {
    const email = `${role}@${id}.test`;
    const { id: userId } = await createUser(db, { organisationId: id, email, name: `${name} ${role}`, role, password: 'password-123' });
    users[role] = { userId, email };
  }
  return { id, users };
}
