import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { DevicesTerminal } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, Dialog, EmptyState } from '../components/ui.tsx';
import { formatAgo, formatDateTime } from '../format.ts';

/*
 * The Terminals card of Devices: every terminal a hub of the venue reported on its last pull (paired there, sold or
 * not) and every one that sold in the event, with its hub, when it was last seen, its sales, how many of its orders
 * still wait at the hub for upload, and head office's revoke/restore.
 */

/** Whether it is connected to its hub, as the hub last said; terminals known from orders only have no such word. */
function connection(t: DevicesTerminal, now: Date): JSX.Element {
  if (!t.reported) return <Badge title="Its hub does not report its terminals (an older hub): known from its orders">From orders</Badge>;
  if (t.online) return <Badge tone="success">Connected</Badge>;
  return <Badge tone="warning" title={t.lastSeenAt ? `Last seen ${formatDateTime(t.lastSeenAt)}` : undefined}>{t.lastSeenAt ? 'Away' : 'Never connected'}</Badge>;
}

/**
 * Its last sign of life: its hub's word when reported. Otherwise when the cloud received its latest order, which is
 * only when its hub uploaded it (after the fact, if the venue was offline), so it is said so.
 */
function lastSeen(t: DevicesTerminal): { at: string; title: string } | null {
  if (t.reported) return t.lastSeenAt ? { at: t.lastSeenAt, title: `Its hub last heard from it ${formatDateTime(t.lastSeenAt)}` } : null;
  return t.lastOrderAt ? { at: t.lastOrderAt, title: `Its latest order reached the cloud ${formatDateTime(t.lastOrderAt)}` } : null;
}

/**
 * How far its uploads are behind: its orders waiting in its hub's cloud outbox, as of the hub's last report (worded
 * like the hubs' own backlog in devices.tsx). Without a count (an older hub, or a terminal known only from its
 * orders) nothing is said rather than a guess; the Hub link column already says where the row comes from. A badge
 * goes in a span so that the Sales column's right alignment holds.
 */
function uploadState(t: DevicesTerminal): JSX.Element | null {
  const asOf = t.reportedAt ? ` (its hub's report of ${formatDateTime(t.reportedAt)})` : '';
  if (t.backlog === null) return null;
  if (t.backlog > 0) {
    const n = t.backlog.toLocaleString('en');
    return (
      <span data-testid="terminal-upload">
        <Badge tone="warning" title={`${n} of its orders wait at the hub for upload to the cloud${asOf}`}>{n} waiting</Badge>
      </span>
    );
  }
  return (
    <span data-testid="terminal-upload">
      <Badge tone="success" title={`Its hub has uploaded every order it received from it${asOf}`}>
        Uploaded
      </Badge>
    </span>
  );
}

/** Confirms revoking a terminal (a stolen kiosk) and asks why; the reason is shown on the kiosk and in the audit log. */
function RevokeTerminalDialog(props: { terminal: DevicesTerminal; venueName: string; onClose: () => void; onRevoke: (reason: string) => Promise<void> }): JSX.Element {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const ok = reason.trim().length > 0 && reason.trim().length <= 200;
  const t = props.terminal;
  return (
    <Dialog
      title="Revoke this terminal?"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="button button-danger"
            disabled={!ok || busy}
            onClick={() => {
              setBusy(true);
              void props.onRevoke(reason.trim()).finally(() => setBusy(false));
            }}
          >
            Revoke terminal
          </button>
        </>
      }
    >
      <p>
        The hub of {props.venueName} disconnects {t.label ? `${t.label} (` : 'terminal '}
        <code class="hub-id">{t.terminalId}</code>
        {t.label ? ')' : ''} as soon as it next pulls its configuration, and refuses it from then on. What it sold before stays. Use this for a lost or stolen kiosk; you
        can restore it later.
      </p>
      <label class="field">
        <span class="field-label">Reason</span>
        <input type="text" name="revoke-reason" maxLength={200} value={reason} placeholder="e.g. Stolen from the north bar" onInput={(e) => setReason(e.currentTarget.value)} />
        <span class="field-hint">Shown on the terminal and kept in the audit log.</span>
      </label>
    </Dialog>
  );
}

export function TerminalsCard(props: {
  terminals: DevicesTerminal[];
  eventName: string;
  venueName: string;
  now: string;
  canEdit: boolean;
  onStanding: (terminalId: string, verb: 'revoke' | 'restore', reason?: string) => Promise<boolean>;
}): JSX.Element {
  const [revoking, setRevoking] = useState<DevicesTerminal | null>(null);
  const now = new Date(props.now);
  const columns: Column<DevicesTerminal>[] = [
    {
      key: 'terminal',
      header: 'Terminal',
      render: (t) => (
        <span class="person">
          <span class="station-icon">
            <Icon name="terminal" size={16} />
          </span>
          <span class="cell-stack">
            {t.label ? <span class="strong">{t.label}</span> : null}
            <code class="hub-id">{t.terminalId}</code>
            <span class="text-muted small">
              On hub <code class="hub-id">{t.hubId}</code>
            </span>
          </span>
        </span>
      ),
    },
    { key: 'link', header: 'Hub link', width: '150px', render: (t) => connection(t, now) },
    {
      key: 'seen',
      header: 'Last seen',
      width: '130px',
      render: (t) => {
        const seen = lastSeen(t);
        return seen ? <span title={seen.title}>{formatAgo(seen.at, now)}</span> : <span class="text-muted">Never</span>;
      },
    },
    {
      key: 'sales',
      header: 'Sales',
      align: 'number',
      width: '150px',
      render: (t) => (
        <span class="cell-stack">
          {t.lastOrderAt ? (
            <>
              <span>{t.sales.toLocaleString('en')}</span>
              <span class="text-muted small" title={`Its latest order (seq ${t.lastSeq ?? '—'}) reached the cloud ${formatDateTime(t.lastOrderAt)}`}>
                received {formatAgo(t.lastOrderAt, now)}
              </span>
            </>
          ) : (
            <span class="text-muted">None yet</span>
          )}
          {uploadState(t)}
        </span>
      ),
    },
    {
      key: 'standing',
      header: 'State',
      width: '150px',
      render: (t) =>
        t.status === 'revoked' ? (
          <span class="cell-stack" data-testid="terminal-revoked">
            <Badge tone="danger">Revoked</Badge>
            {t.revokedReason ? <span class="text-muted small">{t.revokedReason}</span> : null}
          </span>
        ) : (
          <Badge tone="success">Active</Badge>
        ),
    },
    ...(props.canEdit
      ? [
          {
            key: 'actions',
            header: '',
            width: '104px',
            render: (t: DevicesTerminal) =>
              t.status === 'revoked' ? (
                <button
                  type="button"
                  class="button button-secondary button-small"
                  aria-label={`Restore terminal ${t.terminalId}`}
                  onClick={() => void props.onStanding(t.terminalId, 'restore')}
                >
                  Restore
                </button>
              ) : (
                <button type="button" class="button button-secondary button-small danger-text" aria-label={`Revoke terminal ${t.terminalId}`} onClick={() => setRevoking(t)}>
                  Revoke
                </button>
              ),
          } satisfies Column<DevicesTerminal>,
        ]
      : []),
  ];
  const connected = props.terminals.filter((t) => t.online).length;
  return (
    <>
      <Card title={`Terminals · ${props.terminals.length}${connected ? ` · ${connected} connected` : ''}`} flush>
        <DataTable
          label="Terminals"
          columns={columns}
          rows={props.terminals}
          rowKey={(t) => t.terminalId}
          empty={
            <EmptyState icon="terminal" title="No terminal yet">
              Terminals show here once the venue's hub reports them (it does on every configuration pull) or their first order of {props.eventName} reaches the cloud.
            </EmptyState>
          }
        />
      </Card>
      {revoking ? (
        <RevokeTerminalDialog
          terminal={revoking}
          venueName={props.venueName}
          onClose={() => setRevoking(null)}
          onRevoke={async (reason) => {
            if (await props.onStanding(revoking.terminalId, 'revoke', reason)) setRevoking(null);
          }}
        />
      ) : null}
    </>
  );
}
