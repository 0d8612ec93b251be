import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, setCsrfToken, whenSignedOut } from './api.ts';
import type { Role, SessionResponse, SignedInSession } from './api-types.ts';
import { Shell } from './components/shell.tsx';
import { EmptyState, Card } from './components/ui.tsx';
import { ConsoleContext, type ConsoleState } from './context.ts';
import { navigate, useLocation } from './router.ts';
import { HOME, ROUTES } from './routes.tsx';
import { SignInScreen } from './screens/sign-in.tsx';
import { TotpEnrolScreen } from './screens/totp-enrol.tsx';
import { TotpVerifyScreen } from './screens/totp-verify.tsx';

const RANK: Record<Role, number> = { viewer: 0, manager: 1, owner: 2 };
const EVENT_KEY = 'tapline.console.event';

type Stage =
  | { kind: 'loading' }
  | { kind: 'signed-out'; expired: boolean }
  | { kind: 'totp' | 'enrol'; email: string }
  | { kind: 'signed-in'; session: SignedInSession };

function SignedIn({ session, reload }: { session: SignedInSession; reload: () => Promise<void> }): JSX.Element {
  const { path } = useLocation();
  const [eventId, setEventId] = useState<string | null>(() => localStorage.getItem(EVENT_KEY));
  const event = session.events.find((e) => e.id === eventId) ?? session.events[0] ?? null;

  const state = useMemo<ConsoleState>(
    () => ({
      session,
      event,
      pickEvent: (id) => {
        localStorage.setItem(EVENT_KEY, id);
        setEventId(id);
      },
      refresh: reload,
      signOut: async () => {
        await api.post('/v1/console/auth/sign-out').catch(() => undefined);
        navigate('/', { replace: true });
        await reload();
      },
      can: (role) => RANK[session.user.role] >= RANK[role],
    }),
    [session, event, reload],
  );

  useEffect(() => {
    if (path === '/') navigate(HOME, { replace: true });
  }, [path]);

  const route = ROUTES.find((r) => r.path === path);
  useEffect(() => {
    document.title = `${route?.title ?? 'Not found'} · ${session.organisation.name} · Tapline`;
  }, [route, session.organisation.name]);

  let body: JSX.Element;
  if (!route) {
    body = (
      <Card>
        <EmptyState icon="info" title="There is no page here" action={<a class="button button-secondary" href={`/console${HOME}`} onClick={(e) => (e.preventDefault(), navigate(HOME))}>Go to Live</a>}>
          The address may be old or mistyped.
        </EmptyState>
      </Card>
    );
  } else if (route.minRole && !state.can(route.minRole)) {
    body = (
      <Card>
        <EmptyState icon="lock" title={`${route.title} needs the ${route.minRole} role`}>
          Ask an owner of {session.organisation.name} if you need it.
        </EmptyState>
      </Card>
    );
  } else {
    const Screen = route.screen;
    body = <Screen />;
  }
  return (
    <ConsoleContext.Provider value={state}>
      <Shell path={path}>{body}</Shell>
    </ConsoleContext.Provider>
  );
}

export function App(): JSX.Element {
  const [stage, setStage] = useState<Stage>({ kind: 'loading' });

  const reload = useCallback(async () => {
    try {
      const s = await api.get<SessionResponse>('/v1/console/session');
      setCsrfToken(s.csrfToken);
      if (s.signedIn) setStage({ kind: 'signed-in', session: s });
      else if (s.pending) setStage({ kind: s.pending.next, email: s.pending.email });
      else setStage({ kind: 'signed-out', expired: Boolean(s.expired) });
    } catch {
      setStage({ kind: 'signed-out', expired: false });
    }
  }, []);

  useEffect(() => {
    whenSignedOut(() => void reload());
    void reload();
  }, [reload]);

  const cancel = async () => {
    await api.post('/v1/console/auth/sign-out').catch(() => undefined);
    await reload();
  };

  switch (stage.kind) {
    case 'loading':
      return <div class="boot" aria-busy="true" />;
    case 'signed-out':
      return (
        <SignInScreen
          expired={stage.expired}
          onNext={(next, email) => {
            if (next === 'done') void reload();
            else setStage({ kind: next, email });
          }}
        />
      );
    case 'totp':
      return <TotpVerifyScreen email={stage.email} onDone={() => void reload()} onCancel={() => void cancel()} />;
    case 'enrol':
      return <TotpEnrolScreen email={stage.email} onDone={() => void reload()} onCancel={() => void cancel()} />;
    case 'signed-in':
      return <SignedIn session={stage.session} reload={reload} />;
  }
}
