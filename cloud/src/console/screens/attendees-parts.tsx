import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { CardStatus, ConsoleBand, ExportsResponse, ExportView, TabPaymentStatus } from '../api-types.ts';
import { Icon } from '../components/icons.tsx';
import { Badge, Spinner } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { linkClick } from '../router.ts';

/* Pieces the Attendees & tabs screens share: their sub-navigation, the CSV export buttons and the status badges. */

export function AttendeesTabs({ current, attention }: { current: 'search' | 'attention'; attention?: number }): JSX.Element {
  const tab = (id: 'search' | 'attention', to: string, label: string, count?: number) => (
    <a href={`/console${to}`} class={`subtab${current === id ? ' active' : ''}`} aria-current={current === id ? 'page' : undefined} onClick={linkClick(to)}>
      {label}
      {count ? <span class="subtab-count">{count}</span> : null}
    </a>
  );
  return (
    <nav class="subtabs" aria-label="Attendees & tabs">
      {tab('search', '/attendees', 'Attendees')}
      {tab('attention', '/attendees/attention', 'Needs attention', attention)}
    </nav>
  );
}

export function BandChip({ band }: { band: ConsoleBand }): JSX.Element {
  return (
    <span class={`band-chip${band.status === 'blocked' ? ' band-blocked' : ''}`} title={band.status === 'blocked' ? 'Blocked band' : 'Wristband'}>
      {band.uid}
      {band.status === 'blocked' ? <span class="band-chip-flag">blocked</span> : null}
    </span>
  );
}

const CARD: Record<CardStatus, { tone: 'neutral' | 'success' | 'warning' | 'danger'; label: string }> = {
  none: { tone: 'neutral', label: 'No card' },
  pending: { tone: 'warning', label: 'Card pending' },
  ready: { tone: 'success', label: 'Card' },
  failed: { tone: 'danger', label: 'Card failed' },
};

export function CardBadge({ status, last4 }: { status: CardStatus | null; last4: string | null }): JSX.Element {
  if (!status) return <span class="text-muted">—</span>;
  const c = CARD[status];
  return (
    <Badge tone={c.tone}>
      {c.label}
      {status === 'ready' && last4 ? ` •••• ${last4}` : ''}
    </Badge>
  );
}

const PAYMENT: Record<TabPaymentStatus, { tone: 'neutral' | 'accent' | 'success' | 'warning' | 'danger'; label: string }> = {
  authorizing: { tone: 'neutral', label: 'Placing hold' },
  authorized: { tone: 'accent', label: 'Hold placed' },
  declined: { tone: 'danger', label: 'Declined' },
  failed: { tone: 'danger', label: 'Failed' },
  captured: { tone: 'success', label: 'Charged' },
  settled: { tone: 'success', label: 'Settled' },
};

export function PaymentBadge({ status }: { status: TabPaymentStatus | null }): JSX.Element {
  if (!status) return <span class="text-muted">Not started</span>;
  const p = PAYMENT[status];
  return <Badge tone={p.tone}>{p.label}</Badge>;
}

const KIND_LABEL = { orders: 'Orders CSV', tabs: 'Tabs CSV' } as const;

function bytes(n: number | null): string {
  if (n === null) return '';
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * "Export orders" / "Export tabs": asks the server for the CSV, shows it being built (the exports.build job), then a
 * download link. Viewers see finished exports only.
 */
export function ExportButtons(): JSX.Element | null {
  const { event, can } = useConsole();
  const [latest, setLatest] = useState<Partial<Record<'orders' | 'tabs', ExportView>>>({});
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const load = async (eventId: string) => {
    const r = await api.get<ExportsResponse>(`/v1/console/events/${encodeURIComponent(eventId)}/exports`);
    const next: Partial<Record<'orders' | 'tabs', ExportView>> = {};
    for (const e of r.exports) next[e.kind] ??= e;
    setLatest(next);
    // While one is being built, look again shortly; stop once none is.
    window.clearTimeout(timer.current);
    if (Object.values(next).some((e) => e?.status === 'pending')) timer.current = window.setTimeout(() => void load(eventId).catch(() => undefined), 800);
  };

  useEffect(() => {
    setLatest({});
    if (event) void load(event.id).catch(() => undefined);
    return () => window.clearTimeout(timer.current);
  }, [event?.id]);

  if (!event) return null;
  const ask = async (kind: 'orders' | 'tabs') => {
    setError(null);
    try {
      const r = await api.post<{ export: ExportView }>(`/v1/console/events/${encodeURIComponent(event.id)}/exports`, { kind });
      setLatest((l) => ({ ...l, [kind]: r.export }));
      await load(event.id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The export could not be started; try again.');
    }
  };

  return (
    <div class="exports">
      {(['orders', 'tabs'] as const).map((kind) => {
        const e = latest[kind];
        return (
          <div key={kind} class="export-item">
            {e?.status === 'pending' ? (
              <span class="export-progress" role="status">
                <Spinner /> Building {KIND_LABEL[kind]}…
              </span>
            ) : e?.status === 'ready' && e.downloadUrl ? (
              <a
                class="button button-secondary button-small"
                href={e.downloadUrl}
                download
                aria-label={`Download the ${kind} CSV`}
                title={`${(e.rows ?? 0).toLocaleString('en')} rows · ${bytes(e.bytes)} · ${formatDateTime(e.requestedAt)}`}
              >
                <Icon name="download" size={14} /> {KIND_LABEL[kind]}
              </a>
            ) : null}
            {can('manager') && e?.status !== 'pending' ? (
              e?.status === 'ready' ? (
                <button type="button" class="button button-secondary button-small button-icon" aria-label={`Export ${kind} again`} title={`Export ${kind} again (now)`} onClick={() => void ask(kind)}>
                  <Icon name="refresh" size={14} />
                </button>
              ) : (
                <button type="button" class="button button-secondary button-small" onClick={() => void ask(kind)}>
                  <Icon name="file" size={14} /> Export {kind}
                </button>
              )
            ) : null}
            {e?.status === 'failed' ? <span class="text-danger small" title={e.error ?? ''}>Failed</span> : null}
          </div>
        );
      })}
      {error ? <span class="text-danger small" role="alert">{error}</span> : null}
    </div>
  );
}
