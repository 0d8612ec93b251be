import type { ComponentChildren, JSX } from 'preact';
import { minorDigits } from '@tapline/shared/money-units';

/*
 * Pieces the Set-up tabs share: money typed in major units (kept in minor units, no float on the way), instants shown
 * and typed in the event's time zone, and a field with its hint.
 */

/** "5.50" (or "5,50") in `currency` → 550; null when it is not an amount with at most the currency's decimals. */
export function parseMajor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  let t = text.trim().replace(/\s/g, '');
  if (t.includes(',') && !t.includes('.')) t = t.replace(',', '.');
  else t = t.replace(/,/g, '');
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  return Number(m[1]) * 10 ** digits + (digits ? Number(frac.padEnd(digits, '0')) : 0);
}

/** 550 EUR → "5.50", for an input's value. */
export function toMajor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const whole = Math.trunc(minor / 10 ** digits);
  const frac = Math.abs(minor % 10 ** digits);
  return digits ? `${whole}.${String(frac).padStart(digits, '0')}` : String(whole);
}

/** The currency's symbol as the console writes money ("€", "£", "CHF"). */
export function currencySymbol(currency: string): string {
  const part = new Intl.NumberFormat('en', { style: 'currency', currency }).formatToParts(0).find((p) => p.type === 'currency');
  return part?.value ?? currency;
}

/** How far `tz`'s wall clock is ahead of UTC at the instant `utcMs`. */
function offsetMs(utcMs: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(utcMs / 1000) * 1000;
}

/** A datetime-local value ("2026-06-04T18:00") read in `tz` → an ISO instant; null when incomplete. */
export function zonedToIso(local: string, tz: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Twice: the offset at the guess can differ from the offset at the answer around a DST change.
  const guess = wall - offsetMs(wall, tz);
  return new Date(wall - offsetMs(guess, tz)).toISOString();
}

/** An ISO instant → the datetime-local value of its wall-clock time in `tz`. */
export function isoToZoned(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + offsetMs(ms, tz)).toISOString().slice(0, 16);
}

/** "4 Jun 2026, 18:00" in the event's zone. */
export function formatInZone(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', ...all, current])].filter(Boolean).sort();
}

export const CURRENCIES = ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'AUD', 'NZD', 'CAD', 'JPY'];

/** 2100 → "21"; for an input that takes a percentage. */
export function bpToPercent(bp: number): string {
  return (bp / 100).toLocaleString('en', { maximumFractionDigits: 2, useGrouping: false });
}

/** "21" or "5.5" → basis points; null unless 0–100 with at most two decimals. */
export function percentToBp(text: string): number | null {
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** A labelled field with an optional hint under it and an error in place of the hint. */
export function Field(props: { label: string; hint?: ComponentChildren; error?: string | null; children: ComponentChildren; class?: string }): JSX.Element {
  return (
    <label class={`field${props.class ? ` ${props.class}` : ''}`}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.error ? <span class="field-error">{props.error}</span> : props.hint ? <span class="field-hint">{props.hint}</span> : null}
    </label>
  );
}

/** A money input: the currency's symbol in front, the amount typed in major units. */
export function MoneyInput(props: { currency: string; value: string; onInput: (v: string) => void; disabled?: boolean; name?: string; label?: string }): JSX.Element {
  return (
    <span class={`money-input${props.disabled ? ' disabled' : ''}`}>
      <span class="money-symbol" aria-hidden="true">
        {currencySymbol(props.currency)}
      </span>
      <input
        name={props.name}
        inputMode="decimal"
        autoComplete="off"
        aria-label={props.label}
        disabled={props.disabled}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </span>
  );
}
