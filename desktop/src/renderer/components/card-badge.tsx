import type { CardStatusView } from '../../kiosk/api.ts';
import { CARD_WORDS } from '../logic/desk-words.ts';

const TONE: Record<CardStatusView, string> = { ready: 'pill-ok', pending: 'pill-warn', none: 'pill-muted', failed: 'pill-bad' };

/** The attendee's card as the desk may know it: status and last four digits, never more. */
export function CardBadge({ status, last4, testid }: { status: CardStatusView; last4: string | null; testid?: string }) {
  return (
    <span class={`pill card-badge ${TONE[status]}`} data-testid={testid} data-card={status}>
      <span class="dot" />
      {status === 'ready' && last4 ? (
        <>
          Card <span class="mono">•••• {last4}</span>
        </>
      ) : (
        CARD_WORDS[status]
      )}
    </span>
  );
}
