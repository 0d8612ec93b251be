import { useEffect, useRef } from 'preact/hooks';
import { IconBackspace, IconCheck } from './icons.tsx';

export type PadKey = string | 'back' | 'enter';

interface KeypadProps {
  /** data-testid prefix: `${testid}-7`, `${testid}-back`, `${testid}-enter`. */
  testid: string;
  onKey: (key: PadKey) => void;
  enterLabel?: string;
  enterDisabled?: boolean;
  disabled?: boolean;
  /** Extra keys before the digits (A–F for band numbers). */
  extraKeys?: readonly string[];
  /** Tighter keys where height is short (manual entry). */
  compact?: boolean;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export function Keypad({ testid, onKey, enterLabel = 'OK', enterDisabled, disabled, extraKeys = [], compact }: KeypadProps) {
  const keys = [...extraKeys, ...DIGITS];
  return (
    <div class={`keypad${extraKeys.length ? ' keypad-wide' : ''}${compact ? ' keypad-compact' : ''}`} role="group">
      {keys.map((k) => (
        <button type="button" class="key" data-testid={`${testid}-${k}`} disabled={disabled} onClick={() => onKey(k)} key={k}>
          {k}
        </button>
      ))}
      <button type="button" class="key key-muted" data-testid={`${testid}-back`} disabled={disabled} onClick={() => onKey('back')} aria-label="Delete">
        <IconBackspace size={30} />
      </button>
      <button type="button" class="key" data-testid={`${testid}-0`} disabled={disabled} onClick={() => onKey('0')}>
        0
      </button>
      <button
        type="button"
        class="key key-enter"
        data-testid={`${testid}-enter`}
        disabled={disabled || enterDisabled}
        onClick={() => onKey('enter')}
        aria-label={enterLabel}
      >
        {enterLabel === 'OK' ? <IconCheck size={34} /> : enterLabel}
      </button>
    </div>
  );
}

/** Applies a pad key to a value: digits (and allowed letters) append up to `max`, back deletes. */
export function applyKey(value: string, key: PadKey, max: number): string {
  if (key === 'back') return value.slice(0, -1);
  if (key === 'enter') return value;
  return value.length >= max ? value : value + key;
}

/**
 * A hardware keyboard works too (a venue tech's USB keyboard, and tests): digits, Backspace, Enter. Only the topmost
 * active pad listens, so a supervisor prompt over a screen takes the keys.
 */
export function useKeyboardPad(active: boolean, onKey: (key: PadKey) => void, allowed: RegExp = DIGIT_KEY): void {
  const ref = useRef(onKey);
  ref.current = onKey;
  const pattern = allowed.source;
  useEffect(() => {
    const allowedKey = new RegExp(pattern, 'i');
    if (!active) return;
    const handler = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Backspace') ref.current('back');
      else if (e.key === 'Enter') ref.current('enter');
      else if (allowedKey.test(e.key)) ref.current(e.key.toUpperCase());
      else return;
      e.preventDefault();
      e.stopImmediatePropagation();
    };
    keyboardStack.push(handler);
    const listener = (e: KeyboardEvent) => {
      if (keyboardStack[keyboardStack.length - 1] === handler) handler(e);
    };
    window.addEventListener('keydown', listener);
    return () => {
      window.removeEventListener('keydown', listener);
      keyboardStack.splice(keyboardStack.indexOf(handler), 1);
    };
  }, [active, pattern]);
}

export const DIGIT_KEY = /^[0-9]$/;
export const HEX_KEY = /^[0-9a-f]$/;

const keyboardStack: Array<(e: KeyboardEvent) => void> = [];

interface DotsProps {
  value: string;
  /** How many dots to show at least (PINs are 4 to 8 digits). */
  slots: number;
  testid?: string;
  shakeKey?: number;
  error?: boolean;
}

/** A masked PIN: one filled dot per digit typed. */
export function PinDots({ value, slots, testid, shakeKey = 0, error }: DotsProps) {
  const count = Math.max(slots, value.length);
  return (
    <div class={`pin-dots${error ? ' is-error' : ''}${shakeKey ? ' shake' : ''}`} key={shakeKey} data-testid={testid} data-length={value.length}>
      {Array.from({ length: count }, (_, i) => (
        <span class={i < value.length ? 'dot filled' : 'dot'} key={i} />
      ))}
    </div>
  );
}
