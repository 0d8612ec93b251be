import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { DevicesHub, DevicesResponse, TerminalStandingResponse, VenueKeyResponse } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, ConfirmDialog, CopyButton, Dialog, EmptyState, Figure, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatAgo, formatDateTime, formatTime } from '../format.ts';
import { usePolled } from '../polled.ts';
import { TerminalsCard } from './devices-terminals.tsx';

/*
 * Devices of the picked event's venue as the cloud knows them: the hub link (the venue key: create, rotate, revoke),
 * each hub's uploads and backlog, and the venue's terminals (devices-terminals.tsx). Terminals pair at the hub with a
 * code, never with the cloud. Read again every 10 s while open.
 */

const REFRESH_MS = 10_000;
/** A hub quiet for longer than this is shown as such (it uploads within seconds of a sale when it can). */
const QUIET_SECONDS = 15 * 60;

function seconds(since: string | null, now: string): number | null {
  return since ? Math.max(0, (Date.parse(now) - Date.parse(since)) / 1000) : null;
}

function hubState(h: DevicesHub, now: string): JSX.Element {
  if (h.backlog !== null && h.backlog > 0) return <Badge tone="warning">{h.backlog.toLocaleString('en')} waiting</Badge>;
  const s = seconds(h.lastPushAt, now);
  if (s !== null && s > QUIET_SECONDS) return <Badge>Quiet</Badge>;
  return h.backlog === null ? <Badge tone="success">Uploading</Badge> : <Badge tone="success">Up to date</Badge>;
}

function KeyDialog({ venueName, keyText, onClose }: { venueName: string; keyText: string; onClose: () => void }): JSX.Element {
  return (
    <Dialog
      title="The new venue key"
      onClose={onClose}
      footer={
        <button type="button" class="button button-primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p>
        Put this key on the hub laptop of {venueName}; it is shown once. Until the hub has it, its uploads and configuration pulls are refused, while the venue keeps
        trading offline.
      </p>
      <div class="temp-password key-box">
        <code data-testid="venue-key">{keyText}</code>
        <CopyButton text={keyText} />
      </div>
      <p class="text-muted small">
        On the hub: <code>npm run hub -- start --venue-key {'<key>'}</code> (or set <code>TAPLINE_VENUE_KEY</code>).
      </p>
    </Dialog>
  );
}

export function DevicesScreen(): JSX.Element {
  const { event, can } = useConsole();
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const canEdit = can('manager');
  const { data, error, loadedAt } = usePolled<DevicesResponse>(
    event ? `/v1/console/events/${encodeURIComponent(event.id)}/devices` : null,
    REFRESH_MS,
    'Could not load the devices.',
    { reload },
  );

  if (!event) {
    return (
      <>
        <PageHeader title="Devices" />
        <Card>
          <EmptyState icon="devices" title="No event yet">
            Create an event in Set-up; the hub and terminals of its venue show here once they sync.
          </EmptyState>
        </Card>
      </>
    );
  }

  const keyAction = async (what: 'rotate' | 'revoke') => {
    setActionError(null);
    try {
      const path = `/v1/console/venues/${encodeURIComponent(event.venueId)}/key`;
      if (what === 'rotate') setNewKey((await api.post<VenueKeyResponse>(path, {})).key);
      else await api.delete(path);
      setReload((n) => n + 1);
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : 'That did not work; try again.');
    }
  };

  /** Revokes or restores a terminal; true when it worked (the dialog closes then). */
  const terminalAction = async (terminalId: string, verb: 'revoke' | 'restore', reason?: string): Promise<boolean> => {
    setActionError(null);
    try {
      await api.post<TerminalStandingResponse>(
        `/v1/console/venues/${encodeURIComponent(event.venueId)}/terminals/${encodeURIComponent(terminalId)}/${verb}`,
        verb === 'revoke' ? { reason } : {},
      );
      setReload((n) => n + 1);
      return true;
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : 'That did not work; try again.');
      return false;
    }
  };

  const now = data?.generatedAt ?? new Date().toISOString();
  const v = data?.venue;
  const hubColumns: Column<DevicesHub>[] = [
    {
      key: 'hub',
      header: 'Hub',
      render: (h) => (
        <span class="cell-stack">
          <code class="hub-id">{h.hubId}</code>
          <span class="text-muted small">First upload {formatDateTime(h.firstPushAt)}</span>
        </span>
      ),
    },
    { key: 'state', header: 'State', width: '140px', render: (h) => hubState(h, now) },
    { key: 'last', header: 'Last upload', width: '150px', render: (h) => <span title={formatDateTime(h.lastPushAt)}>{formatAgo(h.lastPushAt, new Date(now))}</span> },
    {
      key: 'backlog',
      header: 'Waiting at the hub',
      align: 'number',
      width: '170px',
      render: (h) => (h.backlog === null ? <span class="text-muted" title="This hub does not report its backlog">Not reported</span> : h.backlog.toLocaleString('en')),
    },
    { key: 'batch', header: 'Last batch', align: 'number', width: '110px', render: (h) => h.lastBatch.toLocaleString('en') },
    { key: 'orders', header: 'Orders uploaded', align: 'number', width: '150px', render: (h) => h.ordersPushed.toLocaleString('en') },
  ];
  const configText =
    !v || v.configBehind === null ? 'Never pulled' : v.configBehind === 0 ? 'Up to date' : `${v.configBehind.toLocaleString('en')} ${v.configBehind === 1 ? 'change' : 'changes'} to pull`;

  return (
    <>
      <PageHeader
        title="Devices"
        description={`The hub and terminals of ${event.venueName}, as the cloud last heard from them.`}
        actions={
          loadedAt ? (
            <span class="live-refresh">
              <span class="live-dot" aria-hidden="true" /> Updated {formatTime(loadedAt)} · every 10 s
            </span>
          ) : null
        }
      />
      {error ? <Notice tone="error">{error} Trying again in a few seconds.</Notice> : null}
      {actionError ? <Notice tone="error">{actionError}</Notice> : null}
      {!data || !v ? (
        <Card>
          <Skeleton rows={6} />
        </Card>
      ) : (
        <>
          <Card
            title={
              <span class="device-title">
                <Icon name="key" size={16} /> Hub link · {v.name}
              </span>
            }
            actions={
              canEdit ? (
                <span class="row-actions">
                  <button type="button" class="button button-secondary button-small" onClick={() => (v.keyActive ? setConfirm('rotate') : void keyAction('rotate'))}>
                    {v.keyActive ? 'Rotate key' : 'Create key'}
                  </button>
                  {v.keyActive ? (
                    <button type="button" class="button button-secondary button-small danger-text" onClick={() => setConfirm('revoke')}>
                      Revoke
                    </button>
                  ) : null}
                </span>
              ) : null
            }
          >
            <div class="device-facts">
              <Figure
                look="device-fact"
                label="Venue key"
                testId="key-state"
                value={v.keyActive ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Revoked</Badge>}
                sub={v.keyActive ? (v.keySetAt ? `Set ${formatDateTime(v.keySetAt)}` : 'Set when the venue was created') : v.keyRevokedAt ? `Since ${formatDateTime(v.keyRevokedAt)}` : undefined}
              />
              <Figure look="device-fact" label="Last seen" testId="last-seen" value={v.lastSeenAt ? formatAgo(v.lastSeenAt, new Date(now)) : 'Never'} sub={v.lastSeenAt ? formatDateTime(v.lastSeenAt) : 'No hub has synced with this key'} />
              <Figure look="device-fact" label="Configuration" value={configText} sub={v.lastPullAt ? `Last pull ${formatAgo(v.lastPullAt, new Date(now))}` : undefined} />
              <Figure
                look="device-fact"
                label="Orders waiting at hubs"
                value={data.hubs.some((h) => h.backlog !== null) ? data.hubs.reduce((s, h) => s + (h.backlog ?? 0), 0).toLocaleString('en') : '—'}
                sub={data.hubs.length ? `${data.hubs.length} ${data.hubs.length === 1 ? 'hub' : 'hubs'} uploading` : 'No uploads yet'}
              />
            </div>
            {!v.keyActive ? (
              <Notice tone="warning">The key is revoked: the venue's hub cannot upload or pull until you create a new key and put it on the hub. The venue keeps trading offline meanwhile.</Notice>
            ) : null}
          </Card>

          <Card title="Hubs" flush>
            <DataTable
              label="Hubs"
              columns={hubColumns}
              rows={data.hubs}
              rowKey={(h) => h.hubId}
              empty={
                <EmptyState icon="devices" title="No hub has uploaded yet">
                  Start the hub at the venue with this venue's key; it shows here after its first upload.
                </EmptyState>
              }
            />
          </Card>

          <TerminalsCard terminals={data.terminals} eventName={event.name} venueName={v.name} now={now} canEdit={canEdit} onStanding={terminalAction} />
          <Card title="Pair a terminal" class="pairing-card">
            <ol class="pair-steps">
              <li>
                <strong>Get a code at the hub.</strong> Its status page shows the current pairing code, or run <code>npm run hub -- pair-code</code> on the hub laptop.
              </li>
              <li>
                <strong>Start the kiosk on the terminal.</strong> On the venue network it finds the hub by itself.
              </li>
              <li>
                <strong>Type the code and pick a station.</strong> The terminal then sells that station's menu.
              </li>
            </ol>
            <p class="text-muted small">
              Terminals pair with the hub, not the cloud, so they keep working without internet; a new one shows above once its hub next pulls its configuration
              (within seconds while the hub is online). To take a lost or stolen one out of service, revoke it here: the hub disconnects and refuses it.
            </p>
          </Card>
        </>
      )}
      {confirm === 'rotate' && v ? (
        <ConfirmDialog title="Rotate the venue key?" action="Rotate key" tone="primary" onClose={() => setConfirm(null)} onConfirm={() => void keyAction('rotate')}>
          <p>The current key stops working at once. The hub of {v.name} cannot sync until it has the new key, which is shown once on the next screen.</p>
        </ConfirmDialog>
      ) : null}
      {confirm === 'revoke' && v ? (
        <ConfirmDialog title="Revoke the venue key?" action="Revoke key" tone="danger" onClose={() => setConfirm(null)} onConfirm={() => void keyAction('revoke')}>
          <p>
            Every upload and pull from {v.name} is refused until you create a new key. Use this when a hub laptop is lost or stolen: orders stay on the terminals and the
            hub, and upload once a new key is in place.
          </p>
        </ConfirmDialog>
      ) : null}
      {newKey && v ? <KeyDialog venueName={v.name} keyText={newKey} onClose={() => setNewKey(null)} /> : null}
    </>
  );
}
