import type { JSX } from 'preact';

/** The 6-digit one-time code field: digits only, the phone's number pad, filled by the OS's one-time-code helper. */
export function CodeInput(props: { value: string; onInput: (v: string) => void; autoFocus?: boolean }): JSX.Element {
  return (
    <label class="field">
      <span class="field-label">6-digit code</span>
      <input
        class="code-input"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        maxLength={7}
        placeholder="000000"
        autoFocus={props.autoFocus}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value.replace(/[^0-9]/g, '').slice(0, 6))}
      />
    </label>
  );
}
