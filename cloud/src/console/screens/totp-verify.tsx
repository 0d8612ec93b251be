import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from '../api.ts';
import type { SignInResponse } from '../api-types.ts';
import { AuthLayout } from '../components/auth-layout.tsx';
import { CodeInput } from '../components/code-input.tsx';
import { Notice } from '../components/ui.tsx';

/** Second step of signing in for someone with an authenticator app set up. */
export function TotpVerifyScreen(props: { email: string; onDone: () => void; onCancel: () => void }): JSX.Element {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<SignInResponse>('/v1/console/auth/totp', { code });
      setCsrfToken(r.csrfToken);
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong; try again.');
      setCode('');
      // A session that ran out while the code was being typed: start over.
      if (err instanceof ApiError && err.status === 401 && /Sign in/.test(err.message)) props.onCancel();
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Two-factor sign-in"
      subtitle={
        <>
          Enter the code your authenticator app shows for <strong>{props.email}</strong>.
        </>
      }
      footer={
        <button type="button" class="link-button" onClick={props.onCancel}>
          Sign in as someone else
        </button>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form class="form" onSubmit={submit}>
        <CodeInput value={code} onInput={setCode} autoFocus />
        <button type="submit" class="button button-primary button-block" disabled={busy || code.length !== 6}>
          {busy ? 'Checking…' : 'Verify and sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
