import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROTOCOL_VERSION, type ConfigEntity, type SyncPullResponse } from '@tapline/shared';

/** An event on sale now (it began an hour ago and runs two more days), with the demo's offline allowances. */
export function eventOnNow(id: string, name: string): ConfigEntity {
  const now = Date.now();
  return {
    kind: 'event',
    data: {
      id,
      name,
      currency: 'EUR',
      timezone: 'Europe/Amsterdam',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 48 * 3_600_000).toISOString(),
      offlineBandAllowance: 5000,
      offlineTerminalTotal: 500000,
      noCardAllowance: 2500,
    },
  };
}

export interface ConfigOnlyCloud {
  url: string;
  close(): Promise<void>;
}

/**
 * The cloud as the hub's config puller sees it, and nothing more: the configuration on the first pull, no uploads, so
 * the hub trades offline as in a venue whose uplink is down. The real cloud (PGlite) would share the test's event loop
 * and stretch the kiosk's answers.
 */
export async function serveConfigOnly(venueId: string, entities: ConfigEntity[]): Promise<ConfigOnlyCloud> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/v1/sync/pull')) {
      const cursor = Number(new URL(req.url, 'http://x').searchParams.get('cursor') ?? 0);
      const changes = cursor === 0 ? entities.map((entity, i) => ({ seq: i + 1, entity })) : [];
      const body: SyncPullResponse = { v: PROTOCOL_VERSION, venueId, cursor: Math.max(cursor, entities.length), more: false, changes };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: 'This stand-in cloud takes no uploads.' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      // The hub's pull keeps its connection alive; close() alone would wait for it.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
