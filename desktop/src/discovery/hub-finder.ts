import { EventEmitter } from 'node:events';
import { isIPv4, isIPv6 } from 'node:net';
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import { HUB_SERVICE_PROTOCOL, HUB_SERVICE_TYPE, HubTxt, PROTOCOL_VERSION } from '@tapline/shared';
import type { Logger } from '../runtime/log.ts';

/** A hub heard on the LAN, ready to pair with: `url` is what `pair()` takes. */
export interface FoundHub {
  hubId: string;
  name: string;
  /** `http://address:port`, an IPv4 address when the hub has one. */
  url: string;
  /** Every address heard for the hub, the one in `url` first. */
  addresses: string[];
}

export interface HubFinderOptions {
  logger?: Logger;
  /** How often to ask the LAN again. Default 5000. */
  queryIntervalMs?: number;
  /** A hub that has not answered for this long is dropped (it crashed or left without a goodbye). Default 16000. */
  staleAfterMs?: number;
}

interface MulticastDns extends EventEmitter {
  query(name: string, type: string): void;
}

interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: unknown;
}

const SERVICE_DOMAIN = `_${HUB_SERVICE_TYPE}._${HUB_SERVICE_PROTOCOL}.local`;

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function isLinkLocal(address: string): boolean {
  return address.startsWith('169.254.') || /^fe80:/i.test(address);
}

/**
 * The address to pair with: the one the hub's answer came from when it is IPv4 (it is on a route that works), else an
 * announced IPv4, else a routable IPv6 (link-local ones need a zone id a URL cannot carry well).
 */
function pickAddress(addresses: string[], from: string | undefined): string | undefined {
  if (from && isIPv4(from) && !isLinkLocal(from)) return from;
  return (
    addresses.find((a) => isIPv4(a) && !isLinkLocal(a)) ??
    addresses.find((a) => isIPv4(a)) ??
    addresses.find((a) => isIPv6(a) && !isLinkLocal(a)) ??
    from
  );
}

function hostForUrl(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/**
 * Browses the LAN for Tapline hubs (`_tapline-hub._tcp`) and keeps a live list for the pairing screen. Hubs whose TXT
 * does not parse, or that speak another protocol version, are left out. A hub leaves the list when its goodbye
 * arrives, or when it has stopped answering the finder's repeated queries (a crash sends no goodbye). Runs in plain
 * Node: no Electron.
 */
export class HubFinder extends EventEmitter<{ change: [FoundHub[]] }> {
  private readonly queryIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly log: Logger | undefined;
  private bonjour: Bonjour | null = null;
  private browser: Browser | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** When each service instance (by fqdn, lower case) last answered. */
  private readonly lastSeen = new Map<string, number>();
  /** Instances already reported as ignored, so the log says it once. */
  private readonly ignored = new Set<string>();
  private current: FoundHub[] = [];
  private shown = '[]';

  constructor(options: HubFinderOptions = {}) {
    super();
    this.queryIntervalMs = options.queryIntervalMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 16_000;
    this.log = options.logger;
  }

  /** Starts browsing. Never throws for network trouble: the list just stays empty and the address can be typed. */
  start(): void {
    if (this.bonjour) return;
    let bonjour: Bonjour;
    try {
      bonjour = new Bonjour({}, (err: Error) => this.log?.warn({ err }, 'mDNS error while looking for hubs'));
    } catch (err) {
      this.log?.warn({ err }, 'Cannot look for hubs on the LAN (mDNS unavailable); type the hub address instead.');
      return;
    }
    this.bonjour = bonjour;
    // bonjour-service leaves its socket's 'error' unhandled, and an unhandled 'error' event would crash the kiosk.
    const mdns = (bonjour as unknown as { server: { mdns: MulticastDns } }).server.mdns;
    mdns.on('error', (err: Error & { code?: string }) =>
      this.log?.warn({ err }, `Cannot look for hubs on the LAN (${err.code ?? err.message}); type the hub address instead.`),
    );
    mdns.on('warning', (err: Error) => this.log?.debug({ err }, 'mDNS warning while looking for hubs'));
    // Registered before the browser's own listener, so a hub's first answer is already marked seen when 'up' fires.
    mdns.on('response', (packet: { answers?: DnsRecord[]; additionals?: DnsRecord[] }) => this.onResponse(packet));

    const browser = bonjour.find({ type: HUB_SERVICE_TYPE, protocol: HUB_SERVICE_PROTOCOL });
    this.browser = browser;
    const refresh = () => this.refresh();
    browser.on('up', refresh);
    browser.on('down', refresh);
    browser.on('txt-update', refresh);
    browser.on('srv-update', refresh);

    this.timer = setInterval(() => {
      browser.update();
      this.refresh();
    }, this.queryIntervalMs);
    this.timer.unref();
  }

  /** The hubs heard and still answering, by name. */
  hubs(): FoundHub[] {
    return this.current.map((h) => ({ ...h, addresses: [...h.addresses] }));
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.browser?.stop();
    this.browser = null;
    const bonjour = this.bonjour;
    this.bonjour = null;
    if (!bonjour) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      try {
        bonjour.destroy(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private onResponse(packet: { answers?: DnsRecord[]; additionals?: DnsRecord[] }): void {
    const now = Date.now();
    for (const rr of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
      if (rr.ttl <= 0) continue;
      if (rr.type === 'PTR' && sameName(rr.name, SERVICE_DOMAIN) && typeof rr.data === 'string') {
        this.lastSeen.set(rr.data.toLowerCase(), now);
      } else if (rr.type === 'SRV' && rr.name.toLowerCase().endsWith(`.${SERVICE_DOMAIN}`)) {
        this.lastSeen.set(rr.name.toLowerCase(), now);
      }
    }
    // The browser handles this packet after us; refresh once it has.
    queueMicrotask(() => this.refresh());
  }

  private toFoundHub(service: Service): FoundHub | null {
    const fqdn = service.fqdn.toLowerCase();
    const txt = HubTxt.safeParse(service.txt ?? {});
    if (!txt.success) {
      if (!this.ignored.has(fqdn)) {
        this.ignored.add(fqdn);
        this.log?.debug({ service: service.fqdn, txt: service.txt }, 'ignoring a _tapline-hub service whose TXT record is not a hub');
      }
      return null;
    }
    if (txt.data.v !== PROTOCOL_VERSION) {
      if (!this.ignored.has(fqdn)) {
        this.ignored.add(fqdn);
        this.log?.info(
          { hubId: txt.data.hubId, name: txt.data.name, v: txt.data.v },
          `Ignoring hub "${txt.data.name}": it speaks protocol version ${txt.data.v} and this terminal speaks ${PROTOCOL_VERSION}.`,
        );
      }
      return null;
    }
    const from = service.referer?.address;
    const heard = [...(service.addresses ?? []), ...(from ? [from] : [])];
    const address = pickAddress(heard, from);
    if (!address) return null;
    const addresses = [address, ...new Set(heard.filter((a) => a !== address))];
    return { hubId: txt.data.hubId, name: txt.data.name, url: `http://${hostForUrl(address)}:${service.port}`, addresses };
  }

  private refresh(): void {
    const browser = this.browser;
    if (!browser) return;
    const now = Date.now();
    const byHub = new Map<string, { hub: FoundHub; seen: number }>();
    for (const service of browser.services) {
      const seen = this.lastSeen.get(service.fqdn.toLowerCase()) ?? service.lastSeen ?? 0;
      if (now - seen > this.staleAfterMs) continue;
      const hub = this.toFoundHub(service);
      if (!hub) continue;
      // A hub restarted under another name without a goodbye shows twice until the old one goes stale: keep the newest.
      const had = byHub.get(hub.hubId);
      if (!had || had.seen < seen) byHub.set(hub.hubId, { hub, seen });
    }
    const next = [...byHub.values()]
      .map((e) => e.hub)
      .sort((a, b) => a.name.localeCompare(b.name) || a.hubId.localeCompare(b.hubId));
    const key = JSON.stringify(next);
    if (key === this.shown) return;
    this.shown = key;
    this.current = next;
    this.emit('change', this.hubs());
  }
}
