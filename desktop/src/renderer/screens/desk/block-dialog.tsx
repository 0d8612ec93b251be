import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallResults } from '../../../kiosk/api.ts';
import { toCallError } from '../../bridge.ts';
import { IconShield, IconSpinner } from '../../components/icons.tsx';
import { Modal } from '../../components/modal.tsx';
import { useBridge } from '../../hooks/use-kiosk.ts';
import { BLOCK_REASONS, type BlockReasonId } from '../../logic/desk-words.ts';

interface Props {
  bandUid: string;
  /** The owner's first name when known. */
  who: string | null;
  onBlocked: (result: CallResults['deskBlock']) => void;
  onCancel: () => void;
}

/** Why the band goes, then one deliberate press: a block is for ever. */
export function BlockDialog({ bandUid, who, onBlocked, onCancel }: Props) {
  const bridge = useBridge();
  const [reason, setReason] = useState<BlockReasonId | null>(null);
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const text = reason === 'other' ? other.trim() : reason;
  const otherInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (reason === 'other') otherInput.current?.focus();
  }, [reason]);

  const block = async () => {
    if (!text || busy) return;
    setBusy(true);
    setError(null);
    try {
      onBlocked(await bridge.call('deskBlock', { bandUid, reason: text }));
    } catch (err) {
      setError(toCallError(err).message);
      setBusy(false);
    }
  };

  return (
    <Modal title="Block this band" subtitle={`${bandUid} · ${who ? `${who}'s band` : 'found or handed in'}`} onClose={busy ? undefined : onCancel} testid="desk-block">
      <div class="desk-block">
        <p class="field-label">Why?</p>
        <div class="reason-chips">
          {BLOCK_REASONS.map((r) => (
            <button
              type="button"
              class={`chip-button${reason === r.id ? ' is-active' : ''}`}
              data-testid={`block-reason-${r.id}`}
              aria-pressed={reason === r.id}
              key={r.id}
              onClick={() => setReason(r.id)}
            >
              {r.label}
            </button>
          ))}
        </div>
        {reason === 'other' && (
          <input
            class="text-input"
            data-testid="block-reason-text"
            placeholder="What happened to the band?"
            maxLength={200}
            value={other}
            ref={otherInput}
            onInput={(e) => setOther((e.target as HTMLInputElement).value)}
          />
        )}
        <p class="desk-block-warning">
          <IconShield size={24} />
          <span>Every bar declines this band within seconds, with or without the internet. A blocked band cannot be unblocked.</span>
        </p>
        {error && (
          <p class="form-error" role="alert" data-testid="block-error">
            {error}
          </p>
        )}
        <div class="modal-actions">
          <button type="button" class="button button-secondary button-big" data-testid="block-cancel" disabled={busy} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="button button-danger button-big" data-testid="block-confirm" disabled={!text || busy} onClick={() => void block()}>
            {busy ? <IconSpinner size={24} /> : <IconShield size={24} />} Block band
          </button>
        </div>
      </div>
    </Modal>
  );
}
