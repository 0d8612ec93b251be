import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeskAttendeeView, KioskState } from '../../../kiosk/api.ts';
import { toCallError } from '../../bridge.ts';
import { ReaderPanel } from '../../components/banners.tsx';
import { CardBadge } from '../../components/card-badge.tsx';
import { IconArrowRight, IconContactless, IconLogout, IconPlus, IconSearch, IconShield, IconSpinner, IconWifiOff, IconX } from '../../components/icons.tsx';
import { useBridge } from '../../hooks/use-kiosk.ts';
import { fullName, initials, looksLikeConfirmationCode, shortBand } from '../../logic/desk-words.ts';
import { plural } from '../../logic/words.ts';

type Search =
  | { kind: 'idle' }
  | { kind: 'searching'; query: string }
  | { kind: 'done'; query: string; results: DeskAttendeeView[] }
  | { kind: 'error'; query: string; code: string; message: string };

/** Typing pauses shorter than this are one search: a scanner types a whole code in a few milliseconds. */
const DEBOUNCE_MS = 220;

interface Props {
  state: KioskState;
  query: string;
  onQuery: (q: string) => void;
  onOpen: (a: DeskAttendeeView) => void;
  onWalkUp: () => void;
  onFoundBand: () => void;
}

/**
 * One search field for everything: a name, an e-mail, a phone number, or the confirmation code a USB QR scanner
 * types (an exact code opens the attendee at once). Results come from the hub, which is the only place that knows
 * every attendee; without it the screen says so and offers what still works.
 */
export function FindView({ state, query, onQuery, onOpen, onWalkUp, onFoundBand }: Props) {
  const bridge = useBridge();
  const input = useRef<HTMLInputElement>(null);
  const [search, setSearch] = useState<Search>({ kind: 'idle' });
  const seq = useRef(0);
  const typingPause = useRef<ReturnType<typeof setTimeout> | null>(null);

  const run = async (q: string) => {
    const mine = ++seq.current;
    if (q.trim() === '') {
      setSearch({ kind: 'idle' });
      return;
    }
    setSearch({ kind: 'searching', query: q.trim() });
    try {
      const results = await bridge.call('deskSearch', { query: q.trim() });
      if (mine !== seq.current) return;
      const code = q.trim().toUpperCase();
      const exact = looksLikeConfirmationCode(code) ? results.filter((r) => r.confirmationCode === code) : [];
      if (exact.length === 1) {
        // Cleared, so coming back to this screen does not open the same attendee again.
        onQuery('');
        onOpen(exact[0]!);
      } else setSearch({ kind: 'done', query: q.trim(), results });
    } catch (err) {
      if (mine !== seq.current) return;
      const e = toCallError(err);
      setSearch({ kind: 'error', query: q.trim(), code: e.code, message: e.message });
    }
  };

  useEffect(() => {
    const t = setTimeout(() => void run(query), DEBOUNCE_MS);
    typingPause.current = t;
    return () => clearTimeout(t);
  }, [query]);

  // The scanner is a keyboard: whatever has focus, its characters belong in the search field.
  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key.length === 1 && !document.querySelector('.scrim')) input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const hubDown = !state.hub.connected || (search.kind === 'error' && search.code === 'hub_unreachable');
  return (
    <div class="desk-find">
      <div class="desk-find-top">
        <form
          class="desk-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            // Enter runs the search now: the one still waiting for the typing pause would run it again and blank the
            // list while the desk reads it.
            if (typingPause.current) clearTimeout(typingPause.current);
            void run(query);
          }}
        >
          <IconSearch size={30} class="desk-search-icon" />
          <input
            ref={input}
            class="desk-search-input"
            data-testid="desk-search-input"
            type="search"
            value={query}
            placeholder="Name, e-mail, phone or confirmation code"
            autocomplete="off"
            autocorrect="off"
            autocapitalize="off"
            spellcheck={false}
            enterkeyhint="search"
            onInput={(e) => onQuery((e.target as HTMLInputElement).value)}
          />
          {query && (
            <button
              type="button"
              class="icon-button desk-search-clear"
              aria-label="Clear"
              data-testid="desk-search-clear"
              onClick={() => {
                onQuery('');
                input.current?.focus();
              }}
            >
              <IconX size={24} />
            </button>
          )}
        </form>
        <button type="button" class="button button-primary button-big" data-testid="desk-walkup-button" onClick={onWalkUp}>
          <IconPlus size={26} /> Walk-up sign-up
        </button>
      </div>

      {state.reader.status !== 'ready' && <ReaderPanel state={state} />}
      {hubDown && (
        <div class="desk-hub-down" role="alert" data-testid="desk-hub-unreachable">
          <IconWifiOff size={34} />
          <div>
            <h3>Hub unreachable: attendees cannot be searched</h3>
            <p title={search.kind === 'error' ? search.message : undefined}>
              Walk-up sign-ups, band pairings and blocks still work: this desk keeps them and sends them when the hub is back.
            </p>
          </div>
        </div>
      )}

      <div
        class="desk-results"
        data-testid="desk-results"
        data-state={search.kind}
        data-query={search.kind === 'idle' ? '' : search.query}
        data-count={search.kind === 'done' ? search.results.length : 0}
      >
        {search.kind === 'idle' && <FindHints />}
        {search.kind === 'searching' && (
          <p class="muted loading-line desk-results-line">
            <IconSpinner size={26} /> Searching…
          </p>
        )}
        {search.kind === 'error' && search.code !== 'hub_unreachable' && (
          <p class="form-error" role="alert" data-testid="desk-search-error">
            {search.message}
          </p>
        )}
        {search.kind === 'done' && search.results.length === 0 && (
          <div class="desk-empty" data-testid="desk-no-results">
            <h3>Nobody found for “{search.query}”</h3>
            <p class="muted">Try the last name, the phone number or the e-mail, or sign them up as a walk-up.</p>
          </div>
        )}
        {search.kind === 'done' && search.results.length > 0 && (
          <>
            <p class="desk-results-count muted">{plural(search.results.length, 'attendee')}</p>
            <ul class="desk-result-list">
              {search.results.map((a) => (
                <ResultRow attendee={a} onOpen={() => onOpen(a)} key={a.id} />
              ))}
            </ul>
          </>
        )}
      </div>

      <footer class="desk-foot">
        <button type="button" class="button button-secondary" data-testid="desk-found-band-button" onClick={onFoundBand}>
          <IconShield size={24} /> Block a found band
        </button>
        <p class="menu-hint">
          <IconContactless size={22} /> Tap a band any time to see whose it is.
        </p>
        <LogoutButton />
      </footer>
    </div>
  );
}

function ResultRow({ attendee: a, onOpen }: { attendee: DeskAttendeeView; onOpen: () => void }) {
  const active = a.bands.filter((b) => b.status === 'active');
  const contact = [a.phoneMasked, a.emailMasked].filter(Boolean).join(' · ');
  return (
    <li>
      <button
        type="button"
        class="desk-result"
        data-testid={`desk-result-${a.id}`}
        data-name={fullName(a)}
        data-code={a.confirmationCode ?? ''}
        data-card={a.cardStatus}
        data-bands={active.length}
        onClick={onOpen}
      >
        <span class="avatar">{initials(a.firstName, a.lastName)}</span>
        <span class="desk-result-main">
          <span class="desk-result-name">{fullName(a)}</span>
          <span class="desk-result-contact">{contact || 'No phone or e-mail'}</span>
        </span>
        <CardBadge status={a.cardStatus} last4={a.cardLast4} />
        <span class="desk-result-bands">
          {active.length ? (
            active.map((b) => (
              <span class="pill pill-ok mono" key={b.uid}>
                Band {shortBand(b.uid)}
              </span>
            ))
          ) : (
            <span class="pill pill-muted">No band yet</span>
          )}
        </span>
        <IconArrowRight size={26} class="desk-result-arrow" />
      </button>
    </li>
  );
}

function FindHints() {
  return (
    <div class="desk-hints">
      <div class="desk-hint">
        <IconSearch size={30} />
        <div>
          <h3>Search</h3>
          <p>Any part of a name, the e-mail, or the phone number. Results come from the hub.</p>
        </div>
      </div>
      <div class="desk-hint">
        <span class="desk-hint-qr" aria-hidden="true">
          <span />
          <span />
          <span />
          <span />
        </span>
        <div>
          <h3>Scan the confirmation</h3>
          <p>Point the scanner at the QR code on the attendee's confirmation: their details open at once.</p>
        </div>
      </div>
      <div class="desk-hint">
        <IconPlus size={30} />
        <div>
          <h3>Not registered?</h3>
          <p>Sign them up as a walk-up: name, phone or e-mail, then tap a band.</p>
        </div>
      </div>
    </div>
  );
}

export function LogoutButton() {
  const bridge = useBridge();
  return (
    <button type="button" class="button button-ghost" data-testid="logout-button" onClick={() => void bridge.call('logout', {})}>
      <IconLogout size={24} /> Log out
    </button>
  );
}
