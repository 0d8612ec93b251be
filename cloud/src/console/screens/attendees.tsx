import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { AttendeeSearchResponse, AttendeeSearchRow, IssuesResponse } from '../api-types.ts';
import { type Column, DataTable, Pager } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Card, EmptyState, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatMoney } from '../format.ts';
import { linkClick, navigate, useLocation } from '../router.ts';
import { AttendeesTabs, BandChip, CardBadge, ExportButtons, PaymentBadge } from './attendees-parts.tsx';

/* Attendees & tabs: find a person (name, e-mail, phone or band UID) and open the tab of one of their bands. */

const PAGE_SIZE = 25;

/** The band whose tab a row opens: the first active one, else the first. */
function mainBand(row: AttendeeSearchRow): string | null {
  return (row.bands.find((b) => b.status !== 'blocked') ?? row.bands[0])?.uid ?? null;
}

export const tabPath = (bandUid: string) => `/attendees/tab?band=${encodeURIComponent(bandUid)}`;

/** How many things wait on "Needs attention", for the sub-tab's count. */
export function useAttentionCount(eventId: string | undefined): number | undefined {
  const [n, setN] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (!eventId) return;
    let live = true;
    api.get<IssuesResponse>(`/v1/console/events/${encodeURIComponent(eventId)}/issues`).then(
      (r) => live && setN(r.payments.length + r.deadLetters.length),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [eventId]);
  return n;
}

export function AttendeesScreen(): JSX.Element {
  const { event } = useConsole();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [typed, setTyped] = useState(q);
  const [data, setData] = useState<AttendeeSearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const attention = useAttentionCount(event?.id);
  const debounce = useRef<number | undefined>(undefined);

  useEffect(() => setTyped(q), [q]);
  useEffect(() => {
    if (!event) return;
    let live = true;
    setError(null);
    const params = new URLSearchParams({ q, page: String(page), pageSize: String(PAGE_SIZE) });
    api.get<AttendeeSearchResponse>(`/v1/console/events/${encodeURIComponent(event.id)}/attendees?${params}`).then(
      (r) => live && setData(r),
      (err: unknown) => live && setError(err instanceof ApiError ? err.message : 'Could not search the attendees.'),
    );
    return () => {
      live = false;
    };
  }, [event?.id, q, page]);

  const search = (text: string, now = false) => {
    setTyped(text);
    window.clearTimeout(debounce.current);
    const go = () => navigate(`/attendees${text.trim() ? `?q=${encodeURIComponent(text.trim())}` : ''}`, { replace: true });
    if (now) go();
    else debounce.current = window.setTimeout(go, 250);
  };

  if (!event) {
    return (
      <>
        <PageHeader title="Attendees & tabs" />
        <Card>
          <EmptyState icon="attendees" title="No event yet">
            Create an event in Set-up; its attendees and their tabs show here.
          </EmptyState>
        </Card>
      </>
    );
  }

  const currency = data?.currency ?? event.currency;
  const columns: Column<AttendeeSearchRow>[] = [
    {
      key: 'person',
      header: 'Attendee',
      render: (r) => {
        const band = mainBand(r);
        const name = r.name ?? 'Unregistered band';
        return (
          <span class="cell-stack">
            {band ? (
              <a class="strong row-link" href={`/console${tabPath(band)}`} onClick={linkClick(tabPath(band))}>
                {name}
              </a>
            ) : (
              <span class="strong">{name}</span>
            )}
            <span class="text-muted small">{[r.email, r.phone].filter(Boolean).join(' · ') || (r.attendeeId ? 'No contact details' : 'No attendee paired')}</span>
          </span>
        );
      },
    },
    {
      key: 'bands',
      header: 'Bands',
      width: '230px',
      render: (r) => (r.bands.length ? <span class="band-list">{r.bands.map((b) => <BandChip key={b.uid} band={b} />)}</span> : <span class="text-muted">No band yet</span>),
    },
    { key: 'card', header: 'Card', width: '150px', render: (r) => <CardBadge status={r.cardStatus} last4={r.cardLast4} /> },
    { key: 'payment', header: 'Payment', width: '130px', render: (r) => <PaymentBadge status={r.payment} /> },
    { key: 'orders', header: 'Orders', width: '90px', align: 'number', render: (r) => r.orders.toLocaleString('en') },
    { key: 'total', header: 'Tab total', width: '130px', align: 'number', render: (r) => <span class="strong">{formatMoney(r.tabTotal, currency)}</span> },
    {
      key: 'open',
      header: <span class="visually-hidden">Open</span>,
      width: '48px',
      render: (r) => {
        const band = mainBand(r);
        return band ? (
          <a class="icon-button" href={`/console${tabPath(band)}`} aria-label={`Open the tab of ${r.name ?? band}`} onClick={linkClick(tabPath(band))}>
            <Icon name="chevronRight" />
          </a>
        ) : null;
      },
    },
  ];

  return (
    <>
      <PageHeader
        title="Attendees & tabs"
        description="Find an attendee by name, e-mail, phone or wristband, and open their tab to refund or void an order."
        actions={<ExportButtons />}
      />
      <AttendeesTabs current="search" attention={attention} />
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Card flush>
        <form
          class="search-bar"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            search(typed, true);
          }}
        >
          <Icon name="search" class="search-icon" />
          <input
            type="search"
            aria-label="Search attendees"
            placeholder="Name, e-mail, phone or band UID"
            value={typed}
            onInput={(e) => search(e.currentTarget.value)}
          />
          {data ? (
            <span class="search-count text-muted small" data-testid="attendee-count">
              {data.total.toLocaleString('en')} {data.total === 1 ? 'attendee' : 'attendees'}
            </span>
          ) : null}
        </form>
        {!data ? (
          <div class="card-pad">
            <Skeleton rows={8} />
          </div>
        ) : (
          <>
            <DataTable
              label="Attendees"
              columns={columns}
              rows={data.rows}
              rowKey={(r) => r.key}
              empty={
                q ? (
                  <EmptyState icon="search" title={`Nobody matches “${q}”`}>
                    Try part of a first name, an e-mail, the last digits of a phone number, or the UID printed on the band.
                  </EmptyState>
                ) : (
                  <EmptyState icon="attendees" title="No attendees yet">
                    People appear here when they pre-register or a registration desk pairs their wristband.
                  </EmptyState>
                )
              }
            />
            <div class="card-footer">
              <Pager
                page={data.page}
                pageSize={data.pageSize}
                total={data.total}
                noun="attendees"
                onPage={(p) => navigate(`/attendees?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`)}
              />
            </div>
          </>
        )}
      </Card>
    </>
  );
}
