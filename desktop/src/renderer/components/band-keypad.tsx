import { IconBackspace } from './icons.tsx';
import type { PadKey } from './keypad.tsx';

const LAYOUT = ['1', '2', '3', 'A', 'B', '4', '5', '6', 'C', 'D', '7', '8', '9', 'E', 'F'] as const;

/** Digits plus A–F: a band number is either the number printed on the band or its chip's hexadecimal UID. */
export function BandKeypad({ onKey, disabled, enterLabel, enterDisabled }: { onKey: (k: PadKey) => void; disabled?: boolean; enterLabel: string; enterDisabled: boolean }) {
  return (
    <div class="keypad keypad-band" role="group">
      {LAYOUT.map((k) => (
        <button type="button" class={`key${/[A-F]/.test(k) ? ' key-letter' : ''}`} data-testid={`band-key-${k}`} disabled={disabled} onClick={() => onKey(k)} key={k}>
          {k}
        </button>
      ))}
      <button type="button" class="key key-muted" data-testid="band-key-back" disabled={disabled} onClick={() => onKey('back')} aria-label="Delete">
        <IconBackspace size={30} />
      </button>
      <button type="button" class="key" data-testid="band-key-0" disabled={disabled} onClick={() => onKey('0')}>
        0
      </button>
      <button type="button" class="key key-enter key-span" data-testid="band-key-enter" disabled={disabled || enterDisabled} onClick={() => onKey('enter')}>
        {enterLabel}
      </button>
    </div>
  );
}
