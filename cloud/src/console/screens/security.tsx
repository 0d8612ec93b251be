import type { JSX } from 'preact';
import { Card, Notice, PageHeader } from '../components/ui.tsx';
import { TotpEnrolPanel } from '../components/totp-enrol-panel.tsx';
import { useConsole } from '../context.ts';

/** Two-factor status; viewers (for whom it is optional) can turn it on here. */
export function SecurityScreen(): JSX.Element {
  const { session, refresh } = useConsole();
  const u = session.user;
  return (
    <>
      <PageHeader title="Two-factor sign-in" description="A code from your phone at each sign-in keeps a leaked password from opening the console." />
      <Card>
        {u.totpEnrolled ? (
          <Notice tone="success" title="Two-factor sign-in is on">
            Each sign-in as {u.email} asks for a code from your authenticator app. Lost your phone? Ask an owner to remove and re-add you.
          </Notice>
        ) : (
          <>
            <Notice tone="info">Two-factor sign-in is optional for viewers and strongly recommended.</Notice>
            <TotpEnrolPanel onDone={() => void refresh()} />
          </>
        )}
      </Card>
    </>
  );
}
