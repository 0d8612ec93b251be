import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from '../api.ts';
import type { SignInResponse } from '../api-types.ts';
import { AuthLayout } from '../components/auth-layout.tsx';
import { Notice } from '../components/ui.tsx';

export function SignInScreen(props: { expired?: boolean; onNext: (next: SignInResponse['next'], email: string) => void }): JSX.Element {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<SignInResponse>('/v1/console/auth/sign-in', { email, password });
      setCsrfToken(r.csrfToken);
      props.onNext(r.next, email);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong; try again.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Use the e-mail address your organisation's owner added you with."
      footer={<span>Owners and managers confirm every sign-in with an authenticator app.</span>}
    >
      {props.expired && !error ? <Notice tone="info">Your session ended after a while without activity. Sign in again to carry on.</Notice> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span class="field-label">E-mail</span>
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" class="button button-primary button-block" disabled={busy || !email || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
