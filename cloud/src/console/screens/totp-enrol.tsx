import type { JSX } from 'preact';
import { AuthLayout } from '../components/auth-layout.tsx';
import { TotpEnrolPanel } from '../components/totp-enrol-panel.tsx';

/** First sign-in of an owner or manager: two-factor is required before the console opens. */
export function TotpEnrolScreen(props: { email: string; onDone: () => void; onCancel: () => void }): JSX.Element {
  return (
    <AuthLayout
      title="Set up two-factor sign-in"
      subtitle={
        <>
          Owners and managers confirm each sign-in with a code from their phone. This takes a minute, once, for{' '}
          <strong>{props.email}</strong>.
        </>
      }
      footer={
        <button type="button" class="link-button" onClick={props.onCancel}>
          Sign in as someone else
        </button>
      }
    >
      <TotpEnrolPanel onDone={props.onDone} submitLabel="Verify and sign in" />
    </AuthLayout>
  );
}
