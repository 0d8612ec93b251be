import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { DeadLetterView, IssuesResponse, PaymentIssueView, RetryResponse } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Card, EmptyState, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatAgo, formatDateTime, formatMoney } from '../format.ts';
import { linkClick } from '../router.ts';
import { AttendeesTabs, ExportButtons, PaymentBadge } from './attendees-parts.tsx';
import { tabPath } from './attendees.tsx';

/* Needs attention: cards that were declined or failed, and background jobs that gave up; each can be sent again. */

export function IssuesScreen(): JSX.Element {
  const { event, can } = useConsole();
  const [data, setData] = useState<IssuesResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const base = event ? `/v1/console/events/${encodeURIComponent(event.id)}` : '';

  const load = () =>
    api.get<IssuesResponse>(`${base}/issues`).then(
      (r) => setData(r),
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load what needs attention.'),
    );
  useEffect(() => {
    setData(null);
    if (event) void load();
  }, [base]);

  const retry = async (key: string, path: string, done: string) => {
    setBusy(key);
    setError(null);
    setNote(null);
    try {
      await api.post<RetryResponse>(path);
      setNote(done);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The retry could not be sent; try again.');
    } finally {
      setBusy(null);
    }
  };

  if (!event) {
    return (
      <>
        <PageHeader title="Attendees & tabs" />
        <Card>
          <EmptyState icon="attendees" title="No event yet">
            Create an event in Set-up first.
          </EmptyState>
        </Card>
      </>
    );
  }

  const currency = data?.currency ?? event.currency;
  const retryButton = (key: string, label: string, onClick: () => void) =>
    can('manager') ? (
      <button type="button" class="button button-secondary button-small" disabled={busy !== null} aria-label={label} onClick={onClick}>
        <Icon name="refresh" size={14} /> {busy === key ? 'Sending…' : 'Retry'}
      </button>
    ) : null;

  const paymentColumns: Column<PaymentIssueView>[] = [
    {
      key: 'who',
      header: 'Attendee',
      render: (p) => (
        <span class="cell-stack">
          <a class="strong row-link" href={`/console${tabPath(p.bandUid)}`} onClick={linkClick(tabPath(p.bandUid))}>
            {p.name ?? p.attendeeId}
          </a>
          <span class="text-muted small mono">{p.bandUid}</span>
        </span>
      ),
    },
    { key: 'status', header: 'Status', width: '120px', render: (p) => <PaymentBadge status={p.status} /> },
    {
      key: 'reason',
      header: 'What happened',
      render: (p) => (
        <span class="cell-stack">
          <span>{p.reason ?? '—'}</span>
          {p.declineCode ? <code class="action-code">{p.declineCode}</code> : null}
        </span>
      ),
    },
    { key: 'total', header: 'Tab', width: '110px', align: 'number', render: (p) => formatMoney(p.tabTotal, currency) },
    { key: 'owed', header: 'Still owed', width: '120px', align: 'number', render: (p) => <span class="strong">{formatMoney(p.outstanding || Math.max(0, p.tabTotal - p.capturedAmount), currency)}</span> },
    { key: 'when', header: 'Flagged', width: '120px', render: (p) => (p.flaggedAt ? <span title={formatDateTime(p.flaggedAt)}>{formatAgo(p.flaggedAt)}</span> : '—') },
    {
      key: 'retry',
      header: <span class="visually-hidden">Retry</span>,
      width: '110px',
      align: 'right',
      render: (p) => retryButton(`pay:${p.bandUid}`, `Retry the payment of ${p.name ?? p.bandUid}`, () => void retry(`pay:${p.bandUid}`, `${base}/payment-issues/${p.bandUid}/retry`, `The card of ${p.name ?? p.bandUid} will be tried again in a moment.`)),
    },
  ];

  const letterColumns: Column<DeadLetterView>[] = [
    {
      key: 'what',
      header: 'Job',
      width: '220px',
      render: (d) => (
        <span class="cell-stack">
          <span class="strong">{d.what}</span>
          <code class="action-code">{d.queue}</code>
        </span>
      ),
    },
    {
      key: 'bands',
      header: 'Tabs',
      width: '170px',
      render: (d) =>
        d.bandUids.length ? (
          <span class="cell-stack">
            {d.bandUids.slice(0, 3).map((b) => (
              <a key={b} class="mono small" href={`/console${tabPath(b)}`} onClick={linkClick(tabPath(b))}>
                {b}
              </a>
            ))}
            {d.bandUids.length > 3 ? <span class="text-muted small">and {d.bandUids.length - 3} more</span> : null}
          </span>
        ) : (
          <span class="text-muted">—</span>
        ),
    },
    { key: 'error', header: 'Last error', render: (d) => <span class="error-text">{d.error ?? 'No message recorded'}</span> },
    { key: 'when', header: 'Gave up', width: '120px', render: (d) => <span title={formatDateTime(d.failedAt)}>{formatAgo(d.failedAt)}</span> },
    {
      key: 'retry',
      header: <span class="visually-hidden">Retry</span>,
      width: '110px',
      align: 'right',
      render: (d) => retryButton(`job:${d.id}`, `Retry the job ${d.what}`, () => void retry(`job:${d.id}`, `${base}/dead-letters/${d.id}/retry`, `“${d.what}” was sent again.`)),
    },
  ];

  return (
    <>
      <PageHeader
        title="Attendees & tabs"
        description="Cards that could not be charged and background work that gave up. Fix the cause, then retry; every retry is in the audit log."
        actions={<ExportButtons />}
      />
      <AttendeesTabs current="attention" attention={data ? data.payments.length + data.deadLetters.length : undefined} />
      {error ? <Notice tone="error">{error}</Notice> : null}
      {note ? <Notice tone="success">{note}</Notice> : null}
      {!data ? (
        <Card>
          <Skeleton rows={6} />
        </Card>
      ) : (
        <div class="stack">
          <Card title={`Payments (${data.payments.length})`} flush>
            <DataTable
              label="Payments that need attention"
              columns={paymentColumns}
              rows={data.payments}
              rowKey={(p) => p.bandUid}
              empty={
                <EmptyState icon="check" title="Every card went through">
                  Declined and failed card payments show here, with what the bank said.
                </EmptyState>
              }
            />
          </Card>
          <Card title={`Background jobs (${data.deadLetters.length})`} flush>
            <DataTable
              label="Jobs that gave up"
              columns={letterColumns}
              rows={data.deadLetters}
              rowKey={(d) => d.id}
              empty={
                <EmptyState icon="check" title="No job has given up">
                  Tab recalculations, exports and messages that fail after their retries show here.
                </EmptyState>
              }
            />
          </Card>
        </div>
      )}
    </>
  );
}
