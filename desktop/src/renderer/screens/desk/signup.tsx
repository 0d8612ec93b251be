import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeskAttendeeView, KioskState, SignUpField } from '../../../kiosk/api.ts';
import { toCallError } from '../../bridge.ts';
import { IconArrowLeft, IconArrowRight, IconCheck, IconSpinner } from '../../components/icons.tsx';
import { useBridge } from '../../hooks/use-kiosk.ts';

interface Props {
  state: KioskState;
  onCancel: () => void;
  onSignedUp: (attendee: DeskAttendeeView) => void;
}

const FIELDS: Array<{ key: SignUpField; label: string; type: string; inputMode: string; autoComplete: string; hint?: string; required?: boolean }> = [
  { key: 'firstName', label: 'First name', type: 'text', inputMode: 'text', autoComplete: 'off', required: true },
  { key: 'lastName', label: 'Last name', type: 'text', inputMode: 'text', autoComplete: 'off' },
  { key: 'phone', label: 'Mobile phone', type: 'tel', inputMode: 'tel', autoComplete: 'off', hint: 'With the country code, e.g. +31 6 1234 5678' },
  { key: 'email', label: 'E-mail', type: 'email', inputMode: 'email', autoComplete: 'off' },
];

/**
 * A walk-up signs up at the desk: large fields for the touchscreen's keyboard or the desk's own; the kiosk checks
 * them against the same schemas as everywhere else and answers per field. Then straight on to the band.
 */
export function SignUpView({ state, onCancel, onSignedUp }: Props) {
  const bridge = useBridge();
  const [values, setValues] = useState<Record<SignUpField, string>>({ firstName: '', lastName: '', phone: '', email: '' });
  const [sms, setSms] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<SignUpField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  // `autofocus` only works when a page loads; this form appears later.
  useEffect(() => first.current?.focus(), []);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await bridge.call('deskSignUp', { ...values, smsConsent: sms });
      if (outcome.ok) onSignedUp(outcome.attendee);
      else {
        setErrors(outcome.fields);
        const first = FIELDS.find((f) => outcome.fields[f.key]);
        if (first) document.querySelector<HTMLInputElement>(`[data-testid="signup-${first.key}"]`)?.focus();
      }
    } catch (err) {
      setError(toCallError(err).message);
    } finally {
      setBusy(false);
    }
  };

  const noContact = values.phone.trim() === '' && values.email.trim() === '';
  return (
    <form
      class="desk-signup"
      data-testid="desk-signup"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <header class="desk-signup-head">
        <button type="button" class="button button-ghost back-button" data-testid="signup-cancel" onClick={onCancel}>
          <IconArrowLeft size={24} /> Search
        </button>
        <div>
          <h1 class="setup-title">Walk-up sign-up</h1>
          <p class="setup-lead">A band for someone who did not register before the event.</p>
        </div>
      </header>
      <div class="desk-signup-grid">
        {FIELDS.map((f, i) => (
          <label class={`field${errors[f.key] ? ' has-error' : ''}`} key={f.key}>
            <span class="field-label">
              {f.label}
              {f.required ? '' : <span class="field-optional"> · optional</span>}
            </span>
            <input
              class="text-input desk-input"
              data-testid={`signup-${f.key}`}
              type={f.type}
              inputMode={f.inputMode as 'text'}
              autoComplete={f.autoComplete}
              autoCapitalize={f.key.endsWith('Name') ? 'words' : 'off'}
              spellcheck={false}
              ref={i === 0 ? first : undefined}
              maxLength={f.key === 'email' ? 254 : 80}
              value={values[f.key]}
              aria-invalid={Boolean(errors[f.key])}
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                setValues((s) => ({ ...s, [f.key]: v }));
                setErrors((s) => ({ ...s, [f.key]: undefined }));
              }}
            />
            {errors[f.key] ? (
              <span class="field-error" role="alert" data-testid={`signup-error-${f.key}`}>
                {errors[f.key]}
              </span>
            ) : (
              <span class="field-hint">{f.hint ?? '\u00a0'}</span>
            )}
          </label>
        ))}
      </div>
      <label class={`desk-consent${sms ? ' is-on' : ''}`} data-testid="signup-sms" data-checked={String(sms)}>
        <input type="checkbox" checked={sms} onChange={(e) => setSms((e.target as HTMLInputElement).checked)} />
        <span class="desk-check">{sms && <IconCheck size={26} />}</span>
        <span class="desk-consent-text">
          <strong>SMS receipts</strong>
          <span class="muted">They agree to get their receipts and tab link by text message at this number.</span>
        </span>
      </label>
      {noContact && <p class="field-hint desk-signup-note">Without a phone or e-mail they cannot get receipts or a link to add a card; the band still works within {state.event ? 'the no-card allowance' : 'its limits'}.</p>}
      {error && (
        <p class="form-error" role="alert" data-testid="signup-error">
          {error}
        </p>
      )}
      <div class="desk-signup-actions">
        <button type="button" class="button button-secondary button-big" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="button button-primary button-big" data-testid="signup-submit" disabled={busy}>
          {busy ? <IconSpinner size={24} /> : null} Sign up and pair a band <IconArrowRight size={24} />
        </button>
      </div>
    </form>
  );
}
