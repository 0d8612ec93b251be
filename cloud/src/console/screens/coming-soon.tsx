import type { JSX } from 'preact';
import { EmptyState, PageHeader, Card } from '../components/ui.tsx';
import type { IconName } from '../components/icons.tsx';
import { useConsole } from '../context.ts';
import { eventMeta } from '../format.ts';

const AREAS: Record<string, { title: string; icon: IconName; what: string; meanwhile: string }> = {
  live: {
    title: 'Live',
    icon: 'live',
    what: 'Sales so far, sales over time, by product, bar and staff, and every hub’s upload backlog, refreshing while you watch.',
    meanwhile: 'Until it opens here, the platform API answers GET /v1/events/:id/summary.',
  },
  setup: {
    title: 'Set-up',
    icon: 'setup',
    what: 'Event dates and currency, bars, products and menus, taxes, promotions, offline allowances and SMS wording.',
    meanwhile: 'Until it opens here, configuration goes through the platform API (/v1/admin/…).',
  },
  attendees: {
    title: 'Attendees & tabs',
    icon: 'attendees',
    what: 'Find an attendee, open their tab, void or refund with a reason, act on failed payments, export to CSV.',
    meanwhile: 'Until it opens here, the platform API serves attendees, tabs and exports.',
  },
  devices: {
    title: 'Devices',
    icon: 'devices',
    what: 'Pair and revoke hubs and terminals, see when each was last seen and how far behind its uploads are.',
    meanwhile: 'Until it opens here, each venue hub’s status page shows its terminals and queue.',
  },
};

/** A section of the console that is not built yet: says what it will do, and what to use meanwhile. */
export function ComingSoon({ area }: { area: keyof typeof AREAS }): JSX.Element {
  const a = AREAS[area]!;
  const { event } = useConsole();
  return (
    <>
      <PageHeader title={a.title} description={event ? [event.name, eventMeta(event)].filter(Boolean).join(' · ') : undefined} />
      <Card>
        <EmptyState icon={a.icon} title={`${a.title} is on its way`}>
          {a.what} {a.meanwhile}
        </EmptyState>
      </Card>
    </>
  );
}
