import type { JSX } from 'preact';
import type { LiveResponse, LiveRowData } from '../api-types.ts';
import { SalesChart } from '../components/chart-sales.tsx';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Badge, Card, EmptyState, Figure, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatAgo, formatMoney, formatTime } from '../format.ts';
import { usePolled } from '../polled.ts';

/* The live view: what the hubs have uploaded so far, read again every 5 s while the screen is open. */

const REFRESH_MS = 5000;
type Hub = LiveResponse['hubs'][number];

function rowColumns(first: string, currency: string, quantity: string | null, share: number): Column<LiveRowData>[] {
  return [
    {
      key: 'name',
      header: first,
      render: (r) => (
        <span class="live-name">
          <span class="truncate">{r.name}</span>
          <span class="live-share" style={{ width: `${share > 0 ? Math.max(2, (r.net / share) * 100) : 0}%` }} />
        </span>
      ),
    },
    ...(quantity ? [{ key: 'qty', header: quantity, align: 'number' as const, width: '90px', render: (r: LiveRowData) => r.quantity.toLocaleString('en') }] : []),
    { key: 'orders', header: 'Orders', align: 'number', width: '90px', render: (r) => r.orders.toLocaleString('en') },
    { key: 'net', header: 'Net sales', align: 'number', width: '120px', render: (r) => formatMoney(r.net, currency) },
  ];
}

function hubState(h: Hub): JSX.Element {
  if (h.backlog !== null && h.backlog > 0) return <Badge tone="warning">{h.backlog.toLocaleString('en')} waiting</Badge>;
  if (h.secondsSinceUpload === null) return <Badge tone="neutral">Not reported</Badge>;
  if (h.secondsSinceUpload > 15 * 60) return <Badge tone="neutral">Quiet</Badge>;
  return <Badge tone="success">Up to date</Badge>;
}

/** One line per hub: which, its state, and the figures behind it. A list, not a table: it sits in a narrow column. */
function HubList(props: { hubs: Hub[] }): JSX.Element {
  if (props.hubs.length === 0) {
    return <p class="hub-empty text-muted">No hub has uploaded yet. Pair a hub in Devices and start it at the venue.</p>;
  }
  return (
    <ul class="hub-list" aria-label="Hubs">
      {props.hubs.map((h) => (
        <li key={h.hubId} class="hub-row">
          <div class="hub-line">
            <code class="hub-id">{h.hubId}</code>
            {hubState(h)}
          </div>
          <div class="hub-facts">
            <span>Last upload {h.lastUploadAt ? <span title={h.lastUploadAt}>{formatAgo(h.lastUploadAt)}</span> : 'unknown'}</span>
            <span>Backlog {h.backlog === null ? '—' : <strong class="num">{h.backlog.toLocaleString('en')}</strong>}</span>
            <span>
              <span class="num">{h.orders.toLocaleString('en')}</span> orders in
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function LiveScreen(): JSX.Element {
  const { event } = useConsole();
  const { data, error, loadedAt } = usePolled<LiveResponse>(
    event ? `/v1/console/events/${encodeURIComponent(event.id)}/live` : null,
    REFRESH_MS,
    'Could not load the live figures.',
    { blank: true },
  );

  if (!event) {
    return (
      <>
        <PageHeader title="Live" />
        <EmptyState icon="live" title="No event yet">
          Create an event in Set-up; its sales show here as the hubs upload them.
        </EmptyState>
      </>
    );
  }

  const currency = data?.event.currency ?? event.currency;
  const m = (v: number) => formatMoney(v, currency);
  const t = data?.totals;
  const refreshed = loadedAt ? (
    <span class="live-refresh" data-testid="live-refreshed">
      <span class="live-dot" aria-hidden="true" /> Updated {formatTime(loadedAt)} · every 5 s
    </span>
  ) : null;

  return (
    <>
      <PageHeader title="Live" description={`${event.name}: sales as the venue's hubs upload them.`} actions={refreshed} />
      {error ? <Notice tone="error">{error} Trying again in a few seconds.</Notice> : null}
      {!data || !t ? (
        <Card>
          <Skeleton rows={6} />
        </Card>
      ) : (
        <>
          <div class="kpi-grid">
            <Figure look="kpi" label="Net sales" value={m(t.net)} sub={`after ${m(t.voids)} voided`} testId="kpi-net" />
            <Figure look="kpi" label="Orders" value={t.orders.toLocaleString('en')} sub={`${t.voidedOrders.toLocaleString('en')} voided`} testId="kpi-orders" />
            <Figure look="kpi" label="Average order" value={m(t.average)} sub={`${t.items.toLocaleString('en')} items sold`} />
            <Figure look="kpi" label="Tabs" value={t.tabs.toLocaleString('en')} sub="bands with orders" />
            <Figure look="kpi" label="Tips" value={m(t.tips)} sub="on tabs" />
            <Figure look="kpi" label="Refunds" value={m(t.refunds)} sub="given back on tabs" />
          </div>

          <div class="live-top">
          <Card title="Sales over time">
            {data.overTime.points.length === 0 ? (
              <EmptyState icon="live" title="No sales uploaded yet">
                Sales appear here as soon as a hub uploads them. Check Devices if a venue is trading but nothing shows.
              </EmptyState>
            ) : (
              <SalesChart points={data.overTime.points} bucketSeconds={data.overTime.bucketSeconds} currency={currency} timeZone={data.event.timezone} />
            )}
          </Card>
          <Card title="Hubs" flush>
            <HubList hubs={data.hubs} />
          </Card>
          </div>

          <div class="live-grid">
            <Card title="By product" flush>
              <DataTable
                label="Sales by product"
                columns={rowColumns('Product', currency, 'Qty', data.byProduct[0]?.net ?? 0)}
                rows={data.byProduct}
                rowKey={(r) => r.id ?? ''}
                empty="No products sold yet."
              />
            </Card>
            <div class="live-stack">
              <Card title="By station" flush>
                <DataTable
                  label="Sales by station"
                  columns={rowColumns('Station', currency, null, data.byStation[0]?.net ?? 0)}
                  rows={data.byStation}
                  rowKey={(r) => r.id ?? '—'}
                  empty="No station has sold yet."
                />
              </Card>
              <Card title="By staff" flush>
                <DataTable
                  label="Sales by staff"
                  columns={rowColumns('Staff', currency, null, data.byStaff[0]?.net ?? 0)}
                  rows={data.byStaff}
                  rowKey={(r) => r.id ?? '—'}
                  empty="No staff has sold yet."
                />
              </Card>
            </div>
          </div>

        </>
      )}
    </>
  );
}
