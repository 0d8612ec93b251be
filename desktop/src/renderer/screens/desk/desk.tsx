import { useRef, useState } from 'preact/hooks';
import type { BandTap, DeskAttendeeView, KioskState } from '../../../kiosk/api.ts';
import { useKioskEvent } from '../../hooks/use-kiosk.ts';
import { AttendeeView } from './attendee.tsx';
import { FindView } from './find.tsx';
import { FoundBandFlow } from './found-band.tsx';
import { PairedScreen } from './paired.tsx';
import { SignUpView } from './signup.tsx';

export type DeskView =
  | { kind: 'find' }
  | { kind: 'attendee'; attendee: DeskAttendeeView; replaces: string | null }
  | { kind: 'signup' }
  | { kind: 'paired'; attendee: DeskAttendeeView; bandUid: string; replacedBandUid: string | null };

/**
 * The registration desk: find the attendee (or sign up a walk-up), pair the band they are given, block a lost one.
 * Taps go to whatever is on screen: the attendee being paired, or else "whose band is this?".
 */
export function DeskScreen({ state }: { state: KioskState }) {
  const [view, setView] = useState<DeskView>({ kind: 'find' });
  const [query, setQuery] = useState('');
  const [foundBand, setFoundBand] = useState<{ tap: BandTap | null } | null>(null);
  const tapForAttendee = useRef<((tap: BandTap) => void) | null>(null);
  const handled = useRef(new Set<string>());

  useKioskEvent('tap', (tap) => {
    if (handled.current.has(tap.id)) return;
    handled.current.add(tap.id);
    if (view.kind === 'attendee' && !foundBand && tapForAttendee.current) tapForAttendee.current(tap);
    else if (view.kind === 'find' || foundBand) setFoundBand({ tap });
    else if (view.kind === 'paired') setView({ kind: 'find' });
  });

  const toFind = () => setView({ kind: 'find' });
  let body;
  switch (view.kind) {
    case 'find':
      body = (
        <FindView
          state={state}
          query={query}
          onQuery={setQuery}
          onOpen={(attendee) => setView({ kind: 'attendee', attendee, replaces: null })}
          onWalkUp={() => setView({ kind: 'signup' })}
          onFoundBand={() => setFoundBand({ tap: null })}
        />
      );
      break;
    case 'signup':
      body = <SignUpView state={state} onCancel={toFind} onSignedUp={(attendee) => setView({ kind: 'attendee', attendee, replaces: null })} />;
      break;
    case 'attendee':
      body = (
        <AttendeeView
          state={state}
          attendee={view.attendee}
          replaces={view.replaces}
          tapSink={tapForAttendee}
          onBack={toFind}
          onChange={(attendee, replaces) => setView({ kind: 'attendee', attendee, replaces })}
          onPaired={(attendee, bandUid, replacedBandUid) => setView({ kind: 'paired', attendee, bandUid, replacedBandUid })}
        />
      );
      break;
    case 'paired':
      body = (
        <PairedScreen
          attendee={view.attendee}
          bandUid={view.bandUid}
          replacedBandUid={view.replacedBandUid}
          state={state}
          onDone={() => {
            setQuery('');
            toFind();
          }}
        />
      );
  }

  return (
    <main class="screen desk" data-testid="screen-desk" data-view={view.kind}>
      {body}
      {foundBand && <FoundBandFlow state={state} tap={foundBand.tap} onClose={() => setFoundBand(null)} />}
    </main>
  );
}
