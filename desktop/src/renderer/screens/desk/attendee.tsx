import type { MutableRef } from 'preact/hooks';
import { useEffect, useState } from 'preact/hooks';
import type { BandTap, DeskAttendeeView, KioskState, PairOutcome } from '../../../kiosk/api.ts';
import { toCallError } from '../../bridge.ts';
import { CardBadge } from '../../components/card-badge.tsx';
import { IconAlert, IconArrowLeft, IconCheck, IconContactless, IconLock, IconPlug, IconShield, IconSpinner } from '../../components/icons.tsx';
import { ManualTapFlow } from '../../components/manual-tap.tsx';
import { useBounceHint } from '../../hooks/use-bounce-hint.ts';
import { useBridge } from '../../hooks/use-kiosk.ts';
import { fullName, initials, PAIR_REFUSAL_TITLES } from '../../logic/desk-words.ts';
import { money } from '../../logic/money.ts';
import { readerProblemTitle } from '../../logic/words.ts';
import { BlockDialog } from './block-dialog.tsx';

type Refused = Extract<PairOutcome, { paired: false }>;
type Pairing = { kind: 'armed' } | { kind: 'busy'; uid: string } | { kind: 'refused'; outcome: Refused } | { kind: 'error'; message: string };

interface Props {
  state: KioskState;
  attendee: DeskAttendeeView;
  /** Set after a lost band was blocked: the next band tapped replaces it. */
  replaces: string | null;
  /** Where the desk sends taps while this attendee is on screen. */
  tapSink: MutableRef<((tap: BandTap) => void) | null>;
  onBack: () => void;
  onChange: (attendee: DeskAttendeeView, replaces: string | null) => void;
  onPaired: (attendee: DeskAttendeeView, bandUid: string, replacedBandUid: string | null) => void;
}

/** One attendee: who they are, their card, their band; the next tap pairs a band when they have none. */
export function AttendeeView({ state, attendee, replaces, tapSink, onBack, onChange, onPaired }: Props) {
  const bridge = useBridge();
  const [detail, setDetail] = useState<DeskAttendeeView>(attendee);
  const [pairing, setPairing] = useState<Pairing>({ kind: 'armed' });
  const [lost, setLost] = useState<string | null>(null);
  const [manual, setManual] = useState(false);
  // Counts answers that kept this screen up (refusals, errors), so a test tells a new one from the last.
  const [attempt, setAttempt] = useState(0);
  const a = { ...detail, bands: attendee.bands };
  const active = a.bands.filter((b) => b.status === 'active');
  const blocked = a.bands.filter((b) => b.status === 'blocked');
  // A band given after one was lost must say which one it replaces, or the cloud keeps the first pairing and drops it.
  const replacing = replaces ?? (active.length === 0 ? (blocked.at(-1)?.uid ?? null) : null);
  const needsBand = active.length === 0 || replaces !== null;
  const currency = state.event?.currency ?? 'EUR';

  // The search row has no QR code: the full view (with one when there is no card yet) comes from the kiosk.
  useEffect(() => {
    bridge.call('deskAttendee', { attendeeId: attendee.id }).then(setDetail, () => undefined);
  }, [attendee.id]);

  const pair = async (tap: BandTap) => {
    setManual(false);
    setPairing({ kind: 'busy', uid: tap.uid });
    try {
      const outcome = await bridge.call('deskPair', { tapId: tap.id, attendeeId: a.id, replacesBandUid: replacing });
      if (outcome.paired) {
        onPaired(outcome.attendee, outcome.bandUid, outcome.replacedBandUid);
        return;
      }
      setPairing({ kind: 'refused', outcome });
    } catch (err) {
      setPairing({ kind: 'error', message: toCallError(err).message });
    }
    setAttempt((n) => n + 1);
  };
  tapSink.current = (tap) => {
    if (pairing.kind !== 'busy') void pair(tap);
  };
  useEffect(
    () => () => {
      tapSink.current = null;
    },
    [],
  );

  return (
    <div class="desk-attendee" data-testid="desk-attendee" data-id={a.id} data-card={a.cardStatus} data-needs-band={String(needsBand)} data-attempt={attempt}>
      <header class="desk-attendee-head">
        <button type="button" class="button button-ghost back-button" data-testid="desk-back" onClick={onBack}>
          <IconArrowLeft size={24} /> Search
        </button>
        <span class="avatar avatar-big">{initials(a.firstName, a.lastName)}</span>
        <div class="desk-attendee-title">
          <h1 data-testid="desk-attendee-name">{fullName(a)}</h1>
          <p class="muted">{a.confirmationCode ? <>Confirmation <span class="mono">{a.confirmationCode}</span></> : 'Walk-up · no confirmation code yet'}</p>
        </div>
      </header>

      <div class="desk-attendee-body">
        <section class="desk-col">
          <dl class="facts desk-facts">
            <div>
              <dt>Phone</dt>
              <dd data-testid="desk-attendee-phone">{a.phone ?? '—'}</dd>
            </div>
            <div>
              <dt>E-mail</dt>
              <dd data-testid="desk-attendee-email">{a.email ?? '—'}</dd>
            </div>
            <div>
              <dt>SMS receipts</dt>
              <dd>{a.smsConsent ? 'Yes' : 'No'}</dd>
            </div>
          </dl>
          <CardPanel attendee={a} allowance={money(state.event?.noCardAllowance ?? 0, currency)} allowanceMinor={state.event?.noCardAllowance ?? 0} />
        </section>

        <section class="desk-col">
          {needsBand ? (
            <PairPanel
              state={state}
              name={a.firstName}
              replaces={replacing}
              pairing={pairing}
              onManual={() => setManual(true)}
            />
          ) : (
            <div class="desk-band-card">
              <h2 class="section-title">Band</h2>
              {active.map((b) => (
                <div class="desk-band-row" data-testid={`desk-band-${b.uid}`} data-status="active" key={b.uid}>
                  <span class="desk-band-icon">
                    <IconCheck size={28} />
                  </span>
                  <div>
                    <p class="desk-band-uid mono">{b.uid}</p>
                    <p class="muted">Active · every bar accepts it</p>
                  </div>
                  <button type="button" class="button button-secondary" data-testid={`desk-lost-${b.uid}`} onClick={() => setLost(b.uid)}>
                    <IconShield size={22} /> Lost or stolen
                  </button>
                </div>
              ))}
              {pairing.kind === 'refused' && (
                <p class="form-error" role="alert" data-testid="desk-pair-error" data-reason={pairing.outcome.reason}>
                  <strong>{PAIR_REFUSAL_TITLES[pairing.outcome.reason]}.</strong> {pairing.outcome.message}
                </p>
              )}
            </div>
          )}
          {blocked.length > 0 && (
            <div class="desk-blocked-list">
              <h2 class="section-title">Blocked bands</h2>
              {blocked.map((b) => (
                <div class="desk-band-row is-blocked" data-testid={`desk-band-${b.uid}`} data-status="blocked" key={b.uid}>
                  <span class="desk-band-icon">
                    <IconLock size={24} />
                  </span>
                  <div>
                    <p class="desk-band-uid mono">{b.uid}</p>
                    <p class="muted">Blocked · declined at every bar</p>
                  </div>
                </div>
              ))}
            </div>
          )}
        </section>
      </div>

      {lost && (
        <BlockDialog
          bandUid={lost}
          who={a.firstName}
          onCancel={() => setLost(null)}
          onBlocked={(result) => {
            setLost(null);
            setPairing({ kind: 'armed' });
            const bands = a.bands.map((b) => (b.uid === result.bandUid ? { ...b, status: 'blocked' as const } : b));
            onChange(result.attendee ?? { ...a, bands }, result.bandUid);
          }}
        />
      )}
      {manual && <ManualTapFlow subtitle={`Pair the band with this number to ${a.firstName}.`} reason="Entering a band number needs a supervisor." enterLabel="Pair" onTap={() => setManual(false)} onCancel={() => setManual(false)} />}
    </div>
  );
}

function CardPanel({ attendee: a, allowance, allowanceMinor }: { attendee: DeskAttendeeView; allowance: string; allowanceMinor: number }) {
  if (a.cardStatus === 'ready') {
    return (
      <div class="desk-card-panel is-ready" data-testid="desk-card" data-card="ready">
        <CardBadge status="ready" last4={a.cardLast4} />
        <p>The tab is charged to this card after the event. Bars serve up to the event's limits.</p>
      </div>
    );
  }
  const lead =
    a.cardStatus === 'pending'
      ? 'A card is being added. It shows as ready here once the bank confirms it.'
      : a.cardStatus === 'failed'
        ? 'The card could not be saved. The attendee can try another one.'
        : null;
  return (
    <div class={`desk-card-panel${a.cardQrSvg ? ' has-qr' : ''}`} data-testid="desk-card" data-card={a.cardStatus}>
      <div class="desk-card-text">
        <CardBadge status={a.cardStatus} last4={a.cardLast4} />
        {lead && <p>{lead}</p>}
        <p class="desk-no-card" data-testid="desk-no-card-note" data-allowance={allowanceMinor}>
          Without a card, the band gets only the no-card allowance of <strong class="nowrap">{allowance}</strong>.
        </p>
      </div>
      <div class="desk-qr-row">
        {a.cardQrSvg && (
          <div class="desk-qr" data-testid="desk-card-qr" data-url={a.cardUrl ?? ''} dangerouslySetInnerHTML={{ __html: a.cardQrSvg }} />
        )}
        <p class="muted desk-qr-text">
          {a.cardQrSvg ? (
            <>
              <strong>Add a card from their phone.</strong> They scan this code with the camera and enter the card on the page it opens.
              Card details never pass through this desk.
            </>
          ) : a.cardUrl ? (
            'Loading the card link…'
          ) : (
            'The card link appears here once the cloud has this sign-up; it also comes by SMS or e-mail.'
          )}
        </p>
      </div>
    </div>
  );
}

interface PairPanelProps {
  state: KioskState;
  name: string;
  replaces: string | null;
  pairing: Pairing;
  onManual: () => void;
}

function PairPanel({ state, name, replaces, pairing, onManual }: PairPanelProps) {
  const ready = state.reader.status === 'ready';
  const busy = pairing.kind === 'busy';
  const bad = pairing.kind === 'refused' || pairing.kind === 'error';
  const hint = useBounceHint(ready && !busy);
  return (
    <div class={`desk-pair${bad ? ' is-refused' : ''}`} data-testid="desk-pair-panel" data-state={pairing.kind} data-replaces={replaces ?? ''}>
      <div class={`tap-rings desk-rings${ready ? '' : ' is-bad'}${busy ? ' is-busy' : ''}`}>
        <span class="ring r1" />
        <span class="ring r2" />
        <span class="tap-icon">{busy ? <IconSpinner size={56} /> : ready ? <IconContactless size={64} /> : <IconPlug size={56} />}</span>
      </div>
      <h2 class="desk-pair-title">{busy ? 'Pairing…' : !ready ? readerProblemTitle(state.reader.status) : replaces ? 'Tap the new band' : 'Tap a band to pair'}</h2>
      <p class="desk-pair-lead">
        {replaces ? (
          <>
            It replaces <span class="mono">{replaces}</span> (blocked) on {name}'s tab.
          </>
        ) : (
          <>The next band tapped on the reader becomes {name}'s.</>
        )}
      </p>
      {pairing.kind === 'refused' && (
        <p class="desk-pair-error" role="alert" data-testid="desk-pair-error" data-reason={pairing.outcome.reason}>
          <IconAlert size={24} />
          <span>
            <strong>{PAIR_REFUSAL_TITLES[pairing.outcome.reason]}.</strong> {pairing.outcome.message}
          </span>
        </p>
      )}
      {pairing.kind === 'error' && (
        <p class="desk-pair-error" role="alert" data-testid="desk-pair-error" data-reason="error">
          <IconAlert size={24} />
          <span>{pairing.message}</span>
        </p>
      )}
      {hint && (
        <p class="tap-hint" role="status" data-testid="desk-bounce-hint">
          {hint}
        </p>
      )}
      <div class="desk-pair-actions">
        <button type="button" class={`button ${ready ? 'button-ghost' : 'button-primary'}`} data-testid="manual-entry" disabled={busy} onClick={onManual}>
          <IconLock size={22} /> Enter band number
        </button>
      </div>
    </div>
  );
}
