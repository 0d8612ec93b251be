import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from '../api.ts';
import type { EnrolmentResponse, SignInResponse } from '../api-types.ts';
import { CodeInput } from './code-input.tsx';
import { CopyButton, Notice, Skeleton } from './ui.tsx';

/** Scan the QR code (or type the key), then confirm with a first code. Used at first sign-in and from Security. */
export function TotpEnrolPanel(props: { onDone: () => void; submitLabel?: string }): JSX.Element {
  const [enrolment, setEnrolment] = useState<EnrolmentResponse | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.post<EnrolmentResponse>('/v1/console/auth/totp/enrolment').then(setEnrolment, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'Could not start the set-up; reload the page.'),
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<SignInResponse>('/v1/console/auth/totp/enrolment/confirm', { code });
      setCsrfToken(r.csrfToken);
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong; try again.');
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="enrol">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <ol class="steps">
        <li>
          <div class="step-title">Scan this code with an authenticator app</div>
          <div class="step-body">Google Authenticator, Microsoft Authenticator, 1Password, Authy or any app that supports TOTP.</div>
          {enrolment ? (
            <div class="qr-row">
              <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`} alt="QR code for your authenticator app" width={168} height={168} />
              <div class="qr-manual">
                <div class="qr-manual-label">Can&rsquo;t scan? Enter this key:</div>
                <code class="secret" data-testid="totp-secret">
                  {enrolment.secret.match(/.{1,4}/g)!.join(' ')}
                </code>
                <CopyButton text={enrolment.secret} label="Copy key" />
              </div>
            </div>
          ) : (
            <Skeleton rows={3} />
          )}
        </li>
        <li>
          <div class="step-title">Enter the 6-digit code the app shows</div>
          <form class="form form-inline" onSubmit={submit}>
            <CodeInput value={code} onInput={setCode} />
            <button type="submit" class="button button-primary" disabled={busy || code.length !== 6 || !enrolment}>
              {busy ? 'Checking…' : (props.submitLabel ?? 'Turn on two-factor')}
            </button>
          </form>
        </li>
      </ol>
    </div>
  );
}
