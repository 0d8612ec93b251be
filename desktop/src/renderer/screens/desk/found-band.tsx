import { useEffect, useState } from 'preact/hooks';
import type { BandTap, DeskBandLookup, KioskState } from '../../../kiosk/api.ts';
import { toCallError } from '../../bridge.ts';
import { IconCheck, IconContactless, IconLock, IconSpinner } from '../../components/icons.tsx';
import { Modal } from '../../components/modal.tsx';
import { useBridge } from '../../hooks/use-kiosk.ts';
import { readerProblemTitle } from '../../logic/words.ts';
import { BlockDialog } from './block-dialog.tsx';

type Step =
  | { kind: 'waiting' }
  | { kind: 'loading' }
  | { kind: 'shown'; band: DeskBandLookup }
  | { kind: 'blocking'; band: DeskBandLookup }
  | { kind: 'blocked'; uid: string; already: boolean }
  | { kind: 'error'; message: string };

/** "Whose band is this?": a band tapped at the find screen, or tapped on purpose to block a band that was found. */
export function FoundBandFlow({ state, tap, onClose }: { state: KioskState; tap: BandTap | null; onClose: () => void }) {
  const bridge = useBridge();
  const [step, setStep] = useState<Step>({ kind: tap ? 'loading' : 'waiting' });

  useEffect(() => {
    if (!tap) return;
    setStep({ kind: 'loading' });
    bridge.call('deskBand', { tapId: tap.id }).then(
      (band) => setStep({ kind: 'shown', band }),
      (err: unknown) => setStep({ kind: 'error', message: toCallError(err).message }),
    );
  }, [tap?.id]);

  if (step.kind === 'blocking') {
    return (
      <BlockDialog
        bandUid={step.band.uid}
        who={step.band.firstName}
        onCancel={() => setStep({ kind: 'shown', band: step.band })}
        onBlocked={(r) => setStep({ kind: 'blocked', uid: r.bandUid, already: r.alreadyBlocked })}
      />
    );
  }
  const ready = state.reader.status === 'ready';
  return (
    <Modal title={step.kind === 'waiting' ? 'Tap the found band' : 'Band'} onClose={onClose} testid="desk-found-band">
      <div class="desk-found" data-state={step.kind}>
        {step.kind === 'waiting' && (
          <div class="desk-found-wait">
            <IconContactless size={64} />
            <p>{ready ? 'Tap the band on the reader to see whose it is and block it.' : readerProblemTitle(state.reader.status)}</p>
          </div>
        )}
        {step.kind === 'loading' && (
          <p class="muted loading-line">
            <IconSpinner size={24} /> Reading the band…
          </p>
        )}
        {step.kind === 'error' && (
          <p class="form-error" role="alert">
            {step.message}
          </p>
        )}
        {step.kind === 'shown' && (
          <>
            <div class={`desk-band-row is-${step.band.status}`} data-testid="found-band" data-uid={step.band.uid} data-status={step.band.status}>
              <span class="desk-band-icon">{step.band.status === 'blocked' ? <IconLock size={24} /> : <IconCheck size={26} />}</span>
              <div>
                <p class="desk-band-uid mono">{step.band.uid}</p>
                <p class="muted" data-testid="found-band-owner">
                  {step.band.status === 'unknown'
                    ? 'Not paired to anyone this desk knows of.'
                    : `${step.band.firstName ?? 'An attendee'}'s band · ${step.band.status === 'blocked' ? 'blocked' : step.band.hasCard ? 'active, card on file' : 'active, no card'}`}
                </p>
              </div>
            </div>
            <div class="modal-actions">
              <button type="button" class="button button-secondary button-big" data-testid="found-band-close" onClick={onClose}>
                Close
              </button>
              {step.band.status !== 'blocked' && (
                <button type="button" class="button button-danger button-big" data-testid="found-band-block" onClick={() => setStep({ kind: 'blocking', band: step.band })}>
                  <IconLock size={24} /> Block this band
                </button>
              )}
            </div>
          </>
        )}
        {step.kind === 'blocked' && (
          <>
            <p class="notice" role="status" data-testid="found-band-blocked" data-uid={step.uid}>
              <IconCheck size={24} /> Band <span class="mono">{step.uid}</span> {step.already ? 'was already blocked.' : 'is blocked. Every bar declines it from now on.'}
            </p>
            <div class="modal-actions">
              <button type="button" class="button button-primary button-big" data-testid="found-band-done" onClick={onClose}>
                Done
              </button>
            </div>
          </>
        )}
      </div>
    </Modal>
  );
}
