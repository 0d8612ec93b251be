import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { AuditEntry, AuditResponse } from '../api-types.ts';
import { AUDIT_LABELS, auditTone, describeDetails } from '../audit-labels.ts';
import { type Column, DataTable, Pager } from '../components/data-table.tsx';
import { Card, EmptyState, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { formatAgo, formatDateTime } from '../format.ts';
import { navigate, useLocation } from '../router.ts';

const PAGE_SIZE = 25;

function target(e: AuditEntry): string {
  const d = e.details;
  if (e.target.startsWith('user:')) return typeof d.email === 'string' ? d.email : (e.actorEmail ?? e.target);
  return e.target;
}

const columns: Column<AuditEntry>[] = [
  {
    key: 'at',
    header: 'When',
    width: '190px',
    render: (e) => (
      <span class="cell-stack" title={formatDateTime(e.at)}>
        <span>{formatDateTime(e.at)}</span>
        <span class="text-muted small">{formatAgo(e.at)}</span>
      </span>
    ),
  },
  {
    key: 'who',
    header: 'Who',
    width: '220px',
    render: (e) => (e.actorEmail ? <span>{e.actorEmail}</span> : <span class="text-muted">Tapline (system)</span>),
  },
  {
    key: 'action',
    header: 'What',
    width: '240px',
    render: (e) => (
      <span class="action-cell">
        <span class={`dot dot-${auditTone(e.action)}`} />
        <span class="cell-stack">
          <span>{AUDIT_LABELS[e.action] ?? e.action}</span>
          <code class="action-code">{e.action}</code>
        </span>
      </span>
    ),
  },
  { key: 'target', header: 'On', width: '220px', render: (e) => <span class="truncate">{target(e)}</span> },
  { key: 'details', header: 'Details', render: (e) => <span class="text-muted">{describeDetails(e)}</span> },
];

export function AuditLogScreen(): JSX.Element {
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [data, setData] = useState<AuditResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api.get<AuditResponse>(`/v1/console/audit?page=${page}&pageSize=${PAGE_SIZE}`).then(
      (r) => live && setData(r),
      (err: unknown) => live && setError(err instanceof ApiError ? err.message : 'Could not load the audit log.'),
    );
    return () => {
      live = false;
    };
  }, [page]);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in the console and every sign-in, newest first. Entries cannot be edited or deleted."
      />
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Card flush>
        {!data ? (
          <div class="card-pad">
            <Skeleton rows={8} />
          </div>
        ) : (
          <>
            <DataTable
              label="Audit log"
              columns={columns}
              rows={data.entries}
              rowKey={(e) => e.id}
              empty={
                <EmptyState icon="audit" title="Nothing recorded yet">
                  Sign-ins and every change to the team, events and tabs will be listed here.
                </EmptyState>
              }
            />
            <div class="card-footer">
              <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={(p) => navigate(`/audit?page=${p}`)} />
            </div>
          </>
        )}
      </Card>
    </>
  );
}
