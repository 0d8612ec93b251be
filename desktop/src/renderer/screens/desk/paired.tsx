import type { DeskAttendeeView, KioskState } from '../../../kiosk/api.ts';
import { IconCheck } from '../../components/icons.tsx';
import { fullName } from '../../logic/desk-words.ts';
import { money } from '../../logic/money.ts';

interface Props {
  attendee: DeskAttendeeView;
  bandUid: string;
  replacedBandUid: string | null;
  state: KioskState;
  onDone: () => void;
}

/** Paired: the name to say out loud, the band, and whether it is on a card or on the no-card allowance. */
export function PairedScreen({ attendee, bandUid, replacedBandUid, state, onDone }: Props) {
  const allowance = money(state.event?.noCardAllowance ?? 0, state.event?.currency ?? 'EUR');
  return (
    <div class="result result-approved desk-paired" data-testid="desk-paired" data-band={bandUid} data-attendee={attendee.id} onClick={onDone} role="status">
      <div class="result-body">
        <div class="result-mark">
          <IconCheck size={96} />
        </div>
        <p class="result-kicker">{replacedBandUid ? 'New band paired' : 'Band paired'}</p>
        <h1 class="result-name" data-testid="desk-paired-name">
          {fullName(attendee)}
        </h1>
        <p class="result-tab mono">{bandUid}</p>
        <p class="result-amount">
          {attendee.cardStatus === 'ready'
            ? `Charged to the card •••• ${attendee.cardLast4 ?? '····'} after the event`
            : `No card yet: up to ${allowance} until one is added`}
        </p>
        {replacedBandUid && (
          <p class="result-tag">
            <span>
              Replaces <span class="mono">{replacedBandUid}</span>, now blocked · same tab
            </span>
          </p>
        )}
      </div>
      <div class="result-foot">
        <span>Touch for the next attendee</span>
      </div>
    </div>
  );
}
