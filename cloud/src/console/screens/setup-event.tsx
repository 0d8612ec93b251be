import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { CreateEventResponse, SetupEvent } from '../api-types.ts';
import { Icon } from '../components/icons.tsx';
import { Card, Dialog, Notice } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { navigate } from '../router.ts';
import type { SetupTabProps } from './setup.tsx';
import { CURRENCIES, Field, isoToZoned, MoneyInput, parseMajor, timeZones, toMajor, zonedToIso } from './setup-parts.tsx';

/* The event tab (name, dates in its time zone, currency, offline allowances) and the "New event" dialog. */

type EventBody = Omit<SetupEvent, 'id'>;

interface Draft {
  name: string;
  currency: string;
  timezone: string;
  starts: string;
  ends: string;
  band: string;
  terminal: string;
  noCard: string;
}

function draftOf(e: EventBody): Draft {
  return {
    name: e.name,
    currency: e.currency,
    timezone: e.timezone,
    starts: isoToZoned(e.startsAt, e.timezone),
    ends: isoToZoned(e.endsAt, e.timezone),
    band: toMajor(e.offlineBandAllowance, e.currency),
    terminal: toMajor(e.offlineTerminalTotal, e.currency),
    noCard: toMajor(e.noCardAllowance, e.currency),
  };
}

/** The draft as the API's body, or the first thing to fix. */
function bodyOf(d: Draft): { body: EventBody } | { problem: string } {
  const startsAt = zonedToIso(d.starts, d.timezone);
  const endsAt = zonedToIso(d.ends, d.timezone);
  if (!startsAt || !endsAt) return { problem: 'Enter when the event starts and ends.' };
  const money = { band: parseMajor(d.band, d.currency), terminal: parseMajor(d.terminal, d.currency), noCard: parseMajor(d.noCard, d.currency) };
  if (money.band === null || money.terminal === null || money.noCard === null) {
    return { problem: `Enter the allowances as amounts in ${d.currency}, such as 50.00.` };
  }
  return {
    body: {
      name: d.name,
      currency: d.currency,
      timezone: d.timezone,
      startsAt,
      endsAt,
      offlineBandAllowance: money.band,
      offlineTerminalTotal: money.terminal,
      noCardAllowance: money.noCard,
    },
  };
}

function EventFields(props: { draft: Draft; set: (d: Partial<Draft>) => void; disabled: boolean; currencyLocked: boolean; prefix: string }): JSX.Element {
  const { draft: d, set, disabled } = props;
  const zones = useMemo(() => timeZones(d.timezone), [d.timezone]);
  const currencies = [...new Set([d.currency, ...CURRENCIES])];
  return (
    <div class="setup-form-grid">
      <Field label="Event name" class="span-2">
        <input name={`${props.prefix}name`} value={d.name} disabled={disabled} onInput={(e) => set({ name: e.currentTarget.value })} />
      </Field>
      <Field label="Starts" hint={`Local time in ${d.timezone}`}>
        <input type="datetime-local" value={d.starts} disabled={disabled} onInput={(e) => set({ starts: e.currentTarget.value })} />
      </Field>
      <Field label="Ends" hint={`Local time in ${d.timezone}`}>
        <input type="datetime-local" value={d.ends} disabled={disabled} onInput={(e) => set({ ends: e.currentTarget.value })} />
      </Field>
      <Field label="Time zone" hint="Where the event takes place: its dates, happy hours and receipts use it.">
        <select value={d.timezone} disabled={disabled} onChange={(e) => set({ timezone: e.currentTarget.value })}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Currency" hint={props.currencyLocked ? 'Fixed: this event already has sales in it.' : 'Every price and tab of the event is in it.'}>
        <select value={d.currency} disabled={disabled || props.currencyLocked} onChange={(e) => set({ currency: e.currentTarget.value })}>
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

function AllowanceFields(props: { draft: Draft; set: (d: Partial<Draft>) => void; disabled: boolean }): JSX.Element {
  const { draft: d, set, disabled } = props;
  return (
    <div class="setup-allowances">
      <Field label="Per band, offline" hint="What one wristband may spend while its terminal cannot reach the hub. Also the card hold (unless payment settings set one): this before the first sale, then the tab plus this or half the tab, whichever is more.">
        <MoneyInput label="Per band, offline" currency={d.currency} value={d.band} disabled={disabled} onInput={(v) => set({ band: v })} />
      </Field>
      <Field label="Per terminal, offline" hint="What one terminal may take in all while it cannot reach the hub.">
        <MoneyInput label="Per terminal, offline" currency={d.currency} value={d.terminal} disabled={disabled} onInput={(v) => set({ terminal: v })} />
      </Field>
      <Field label="Band without a card" hint="What a band paired to an attendee with no card on file may spend.">
        <MoneyInput label="Band without a card" currency={d.currency} value={d.noCard} disabled={disabled} onInput={(v) => set({ noCard: v })} />
      </Field>
    </div>
  );
}

export function EventTab({ setup, canEdit, change }: SetupTabProps): JSX.Element {
  const initial = useMemo(() => draftOf(setup.event), [setup.event]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { refresh } = useConsole();
  useEffect(() => setDraft(initial), [initial]);
  const set = (d: Partial<Draft>) => setDraft({ ...draft, ...d });
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);

  const save = async (e: Event) => {
    e.preventDefault();
    const r = bodyOf(draft);
    if ('problem' in r) return setError(r.problem);
    setBusy(true);
    setError(null);
    try {
      await change('PUT', '/event', r.body, 'Event saved. The hub gets it at its next pull.');
      // The top bar shows the event's name and dates.
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the event; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save}>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Card title="Event">
        <EventFields draft={draft} set={set} disabled={!canEdit} currencyLocked={setup.hasSales} prefix="" />
      </Card>
      <Card title="Offline allowances">
        <p class="text-muted setup-card-intro">
          Terminals keep selling when they lose the hub, to known bands only and within these limits. Set them per event; the venue carries the risk up to them.
        </p>
        <AllowanceFields draft={draft} set={set} disabled={!canEdit} />
      </Card>
      {canEdit ? (
        <div class="setup-actions">
          <button type="button" class="button button-secondary" disabled={!dirty || busy} onClick={() => setDraft(initial)}>
            Discard changes
          </button>
          <button type="submit" class="button button-primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save event'}
          </button>
        </div>
      ) : null}
    </form>
  );
}

function defaultDraft(): Draft {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const day = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  const next = new Date(Date.now() + 16 * 86_400_000).toISOString().slice(0, 10);
  return { name: '', currency: 'EUR', timezone: tz, starts: `${day}T16:00`, ends: `${next}T23:00`, band: '50.00', terminal: '2000.00', noCard: '25.00' };
}

function NewEventDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const { refresh, pickEvent } = useConsole();
  const [venues, setVenues] = useState<Array<{ id: string; name: string }> | null>(null);
  const [venueId, setVenueId] = useState('');
  const [draft, setDraft] = useState<Draft>(defaultDraft);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get<{ venues: Array<{ id: string; name: string }> }>('/v1/console/venues').then(
      (r) => {
        setVenues(r.venues);
        setVenueId(r.venues[0]?.id ?? '');
      },
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load your venues.'),
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = bodyOf(draft);
    if ('problem' in r) return setError(r.problem);
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<CreateEventResponse>(`/v1/console/venues/${encodeURIComponent(venueId)}/events`, r.body);
      await refresh();
      pickEvent(created.event.id);
      onClose();
      navigate('/setup');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not create the event; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="New event"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="new-event" class="button button-primary" disabled={busy || !draft.name.trim() || !venueId}>
            {busy ? 'Creating…' : 'Create event'}
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      {venues && venues.length === 0 ? <Notice tone="warning">Your organisation has no venue yet; the platform team adds venues.</Notice> : null}
      <form id="new-event" class="form" onSubmit={submit}>
        {venues && venues.length > 1 ? (
          <Field label="Venue">
            <select value={venueId} onChange={(e) => setVenueId(e.currentTarget.value)}>
              {venues.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <EventFields draft={draft} set={(d) => setDraft({ ...draft, ...d })} disabled={false} currencyLocked={false} prefix="new-" />
        <p class="text-muted small">Offline allowances start at {draft.currency} 50 per band and 2,000 per terminal; change them after.</p>
      </form>
    </Dialog>
  );
}

export function NewEventButton({ primary }: { primary?: boolean }): JSX.Element {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class={`button ${primary ? 'button-primary' : 'button-secondary'}`} onClick={() => setOpen(true)}>
        <Icon name="plus" size={16} /> New event
      </button>
      {open ? <NewEventDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}
