import type { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import { Bonjour, type ServiceConfig } from 'bonjour-service';
import type { Logger } from 'pino';
import { HUB_SERVICE_PROTOCOL, HUB_SERVICE_TYPE, hubTxtRecord } from '@tapline/shared';

export interface AdvertiseOptions {
  /** The HTTP port terminals pair and connect on. */
  port: number;
  hubId: string;
  name: string;
  /** The address the hub listens on. */
  host: string;
  log: Logger;
  /** Bound on sending the goodbye and closing the socket. Default 1000. */
  closeTimeoutMs?: number;
  /** The mDNS port, 5353 unless a test needs one it can take away. */
  mdnsPort?: number;
}

export interface HubAdvertiser {
  /** Says goodbye on the LAN so terminals drop the hub at once; never hangs and never throws. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/i;

/** DNS labels are at most 63 bytes: a readable part of the name plus a piece of the hub id that keeps it unique. */
function instanceName(name: string, hubId: string): string {
  const suffix = ` ${hubId.slice(-8)}`;
  let head = '';
  for (const ch of Array.from(name.trim() || 'Tapline hub')) {
    if (Buffer.byteLength(head + ch + suffix) > 63) break;
    head += ch;
  }
  return head + suffix;
}

function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes the hub as `_tapline-hub._tcp` with its id, name and protocol version, so a new terminal finds it. mDNS is
 * a convenience: when multicast is unavailable (no interface, port 5353 taken, no route) this logs a warning and the
 * hub runs on; terminals can still be given the address by hand.
 */
export function advertiseHub(o: AdvertiseOptions): HubAdvertiser {
  const log = o.log;
  if (LOOPBACK.test(o.host)) {
    log.info({ host: o.host }, `The hub listens on ${o.host} only, so it is not advertised on the LAN.`);
    return { close: () => Promise.resolve() };
  }

  const closeTimeoutMs = o.closeTimeoutMs ?? 1000;
  let failed = false;
  let bonjour: Bonjour;
  const seenWarnings = new Set<string>();
  const fail = (err: Error & { code?: string }) => {
    if (failed) return;
    failed = true;
    log.warn(
      { err },
      `mDNS is unavailable (${err.code ?? err.message}): terminals will not find this hub by themselves; type its address on the terminal instead.`,
    );
  };
  const warn = (err: Error & { code?: string }) => {
    const key = `${err.code ?? ''} ${err.message}`;
    // multicast-dns retries interface memberships every 5 s; say each distinct problem once.
    if (seenWarnings.has(key)) return log.debug({ err }, 'mDNS warning');
    seenWarnings.add(key);
    log.warn({ err }, `mDNS trouble while advertising the hub (${err.code ?? err.message}); discovery may not reach every terminal.`);
  };

  try {
    // bonjour-service passes these options on to multicast-dns, whose `interface`, `bind` and `port` its types omit.
    // A specific IPv4 listen address: multicast from that interface only, so terminals hear the address that works;
    // the socket stays bound to every address, as one bound to a unicast address never receives the queries.
    const mdnsOptions = {
      ...(isIPv4(o.host) && o.host !== '0.0.0.0' ? { interface: o.host, bind: '0.0.0.0' } : {}),
      ...(o.mdnsPort !== undefined ? { port: o.mdnsPort } : {}),
    };
    bonjour = new Bonjour(mdnsOptions as Partial<ServiceConfig>, warn);
  } catch (err) {
    fail(err as Error);
    return { close: () => Promise.resolve() };
  }
  // bonjour-service leaves its socket's 'error' unhandled, and an unhandled 'error' event would take the hub down.
  const mdns = (bonjour as unknown as { server: { mdns: EventEmitter } }).server.mdns;
  mdns.on('error', fail);
  mdns.on('warning', warn);

  try {
    const service = bonjour.publish({
      name: instanceName(o.name, o.hubId),
      type: HUB_SERVICE_TYPE,
      protocol: HUB_SERVICE_PROTOCOL,
      port: o.port,
      host: `${os.hostname().split('.')[0]}.local`,
      txt: hubTxtRecord(o.hubId, o.name),
    });
    service.once('up', () => {
      if (!failed) log.info({ service: service.fqdn, port: o.port }, `Advertising the hub on the LAN as "${service.name}" (mDNS)`);
    });
  } catch (err) {
    fail(err as Error);
  }

  let closing: Promise<void> | null = null;
  const destroy = () =>
    new Promise<void>((resolve) => {
      try {
        bonjour.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
  return {
    close: () =>
      (closing ??= (async () => {
        if (!failed) {
          // The goodbye (TTL 0) lets browsing terminals drop the hub now rather than when it stops answering.
          await within(new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve())), closeTimeoutMs);
        }
        await within(destroy(), closeTimeoutMs);
      })().catch((err: unknown) => log.debug({ err }, 'mDNS close'))),
  };
}
