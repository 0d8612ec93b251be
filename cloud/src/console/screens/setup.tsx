import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { SetupResponse } from '../api-types.ts';
import { Badge, Card, EmptyState, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { Icon } from '../components/icons.tsx';
import { useConsole } from '../context.ts';
import { navigate, useLocation } from '../router.ts';
import { EventTab, NewEventButton } from './setup-event.tsx';
import { TaxesAndPromotionsTab } from './setup-pricing.tsx';
import { ProductsTab } from './setup-products.tsx';
import { SmsTab } from './setup-sms.tsx';
import { StationsTab } from './setup-stations.tsx';

/*
 * Set-up of the picked event: what its hubs get (event, stations and menus, products) and how the cloud prices and
 * tells attendees (taxes, promotions, SMS wording). Every tab edits through /v1/console/events/:id/setup/*, which
 * answers the whole set-up again; managers and owners edit, viewers read.
 */

const TABS = [
  { id: 'event', label: 'Event' },
  { id: 'stations', label: 'Stations & menus' },
  { id: 'products', label: 'Products' },
  { id: 'pricing', label: 'Taxes & promotions' },
  { id: 'sms', label: 'SMS wording' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** What each tab gets: the set-up, whether it may change it, and how to send a change. */
export interface SetupTabProps {
  setup: SetupResponse;
  canEdit: boolean;
  /** Sends a change; on success the set-up is replaced by the answer and `done` is said. Throws the refusal. */
  change: (method: 'POST' | 'PUT', path: string, body: unknown, done?: string) => Promise<SetupResponse>;
}

function HubSync({ setup }: { setup: SetupResponse }): JSX.Element {
  const { cursor, hubCursor } = setup.config;
  if (hubCursor === null) return <Badge tone="neutral" title="No hub of this venue has pulled configuration yet">Hub has not pulled yet</Badge>;
  const behind = Math.max(0, cursor - hubCursor);
  return behind === 0 ? (
    <Badge tone="success" title="The venue's hub has every change">
      <Icon name="check" size={12} /> Hub up to date
    </Badge>
  ) : (
    <Badge tone="warning" title="Changes the venue's hub gets at its next pull">
      {behind.toLocaleString('en')} {behind === 1 ? 'change' : 'changes'} not at the hub yet
    </Badge>
  );
}

export function SetupScreen(): JSX.Element {
  const { event, can } = useConsole();
  const { query } = useLocation();
  const tab: TabId = (TABS.find((t) => t.id === query.get('tab'))?.id ?? 'event') as TabId;
  const [setup, setSetup] = useState<SetupResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const canEdit = can('manager');

  useEffect(() => {
    if (!event) return;
    let live = true;
    setSetup(null);
    setError(null);
    api.get<SetupResponse>(`/v1/console/events/${encodeURIComponent(event.id)}/setup`).then(
      (r) => live && setSetup(r),
      (err: unknown) => live && setError(err instanceof ApiError ? err.message : 'Could not load the set-up.'),
    );
    return () => {
      live = false;
    };
  }, [event?.id]);

  useEffect(() => setSaved(null), [tab]);

  if (!event) {
    return (
      <>
        <PageHeader title="Set-up" actions={canEdit ? <NewEventButton /> : null} />
        <Card>
          <EmptyState icon="calendar" title="No event yet" action={canEdit ? <NewEventButton primary /> : null}>
            {canEdit ? 'Create your first event: its dates, currency and offline limits. Products and bars come next.' : 'A manager or owner creates events here.'}
          </EmptyState>
        </Card>
      </>
    );
  }

  const change: SetupTabProps['change'] = async (method, path, body, done) => {
    setSaved(null);
    const base = `/v1/console/events/${encodeURIComponent(event.id)}/setup`;
    const r = method === 'POST' ? await api.post<SetupResponse>(base + path, body) : await api.put<SetupResponse>(base + path, body);
    setSetup(r);
    if (done) setSaved(done);
    return r;
  };

  return (
    <>
      <PageHeader
        title="Set-up"
        description={`${event.name}: what the venue's hub and terminals get, and how tabs are priced. Hubs pick up changes at their next pull.`}
        actions={
          <>
            {setup ? <HubSync setup={setup} /> : null}
            {canEdit ? <NewEventButton /> : null}
          </>
        }
      />
      <div class="setup-tabs" role="tablist" aria-label="Set-up">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            class={`setup-tab${tab === t.id ? ' active' : ''}`}
            onClick={() => navigate(t.id === 'event' ? '/setup' : `/setup?tab=${t.id}`, { replace: true })}
          >
            {t.label}
            {setup && t.id === 'products' ? <span class="setup-tab-count">{setup.products.length}</span> : null}
            {setup && t.id === 'stations' ? <span class="setup-tab-count">{setup.stations.length}</span> : null}
          </button>
        ))}
      </div>
      {!canEdit ? <Notice tone="info">You can look around; a manager or owner makes changes.</Notice> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {!setup ? (
        <Card>
          <Skeleton rows={6} />
        </Card>
      ) : (
        <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
          {tab === 'event' ? <EventTab key={setup.event.id} setup={setup} canEdit={canEdit} change={change} /> : null}
          {tab === 'stations' ? <StationsTab setup={setup} canEdit={canEdit} change={change} /> : null}
          {tab === 'products' ? <ProductsTab setup={setup} canEdit={canEdit} change={change} /> : null}
          {tab === 'pricing' ? <TaxesAndPromotionsTab setup={setup} canEdit={canEdit} change={change} /> : null}
          {tab === 'sms' ? <SmsTab key={setup.event.id} setup={setup} canEdit={canEdit} change={change} /> : null}
        </div>
      )}
    </>
  );
}
