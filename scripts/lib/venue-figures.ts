/**
 * The live figures the chaos run reads from its venue, each a small HTTP read that honours an abort signal: the hub's
 * own counters (cheap: kept in memory by the hub) and the cloud's order count and tabs.
 */

export interface HubFigures {
  ordersReceived: number;
  /** Orders waiting in the hub's cloud outbox. */
  queueDepth: number;
  /** Orders the cloud has acknowledged: received minus still queued. */
  uploaded: number;
  uplink: string;
}

async function getJson<T>(url: string, signal: AbortSignal, token?: string): Promise<{ status: number; body: T | null }> {
  const res = await fetch(url, { signal, headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status === 404) return { status: 404, body: null };
  if (!res.ok) throw new Error(`${new URL(url).pathname}: HTTP ${res.status}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** The hub's status, straight from the hub (not through a fault proxy). */
export function hubFigures(hubUrl: string): (signal: AbortSignal) => Promise<HubFigures> {
  return async (signal) => {
    const { body } = await getJson<{ ordersReceived: number; queueDepth: number; uplink: { state: string } }>(`${hubUrl}/v1/status`, signal);
    if (!body) throw new Error('hub status: not found');
    return { ordersReceived: body.ordersReceived, queueDepth: body.queueDepth, uploaded: body.ordersReceived - body.queueDepth, uplink: body.uplink.state };
  };
}

/** Orders of the event the cloud holds (the venue's summary: one aggregate query on the cloud). */
export function cloudOrders(cloudUrl: string, venueKey: string, eventId: string): (signal: AbortSignal) => Promise<number> {
  return async (signal) => {
    const { body } = await getJson<{ orders: number }>(`${cloudUrl}/v1/events/${eventId}/summary`, signal, venueKey);
    if (!body) throw new Error(`summary: no event ${eventId}`);
    return body.orders;
  };
}

/** A band's tab total at the cloud; null while it has none. */
export async function cloudTab(cloudUrl: string, adminToken: string, eventId: string, band: string): Promise<number | null> {
  const { body } = await getJson<{ tab: { total: number } }>(`${cloudUrl}/v1/admin/events/${eventId}/tabs/${band}`, AbortSignal.timeout(5000), adminToken);
  return body ? body.tab.total : null;
}
