/**
 * Discovery on the LAN: a hub advertises itself over mDNS and a new terminal's HubFinder lists it, with the address to
 * pair with, and drops it when the hub says goodbye or stops answering. Real multicast on this machine's interfaces
 * (multicast loopback delivers the hub's packets to the finder in the same or another process; it also works on a
 * machine with only `lo`).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Bonjour } from 'bonjour-service';
import pino, { type Logger } from 'pino';
import { HUB_SERVICE_TYPE, newId, PairResponse, PROTOCOL_VERSION } from '@tapline/shared';
import { HubFinder, type FoundHub } from '../../desktop/src/discovery/hub-finder.ts';
import { advertiseHub } from '../../hub/src/discovery/advertise.ts';
import { startHub } from '../../hub/src/hub.ts';
import { hubProcess } from '../harness/venue.ts';

const silent = pino({ level: 'silent' });

/** A logger whose lines a test can await, for outcomes that show only in the log. */
function capturingLogger(): { logger: Logger; next(pred: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> } {
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(s: string) {
        const line = JSON.parse(s) as Record<string, unknown>;
        lines.push(line);
        for (const w of waiters.filter((w) => w.pred(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      },
    },
  );
  return {
    logger,
    next: (pred, what) => {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return withDeadline(new Promise((resolve) => waiters.push({ pred, resolve })), what);
    },
  };
}

function withDeadline<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves with the finder's list once it satisfies `pred` (at once if it already does). */
function listWhere(finder: HubFinder, pred: (hubs: FoundHub[]) => boolean, what: string): Promise<FoundHub[]> {
  if (pred(finder.hubs())) return Promise.resolve(finder.hubs());
  let listener: ((hubs: FoundHub[]) => void) | undefined;
  return withDeadline(
    new Promise<FoundHub[]>((resolve) => {
      listener = (hubs) => {
        if (pred(hubs)) resolve(hubs);
      };
      finder.on('change', listener);
    }),
    what,
  ).finally(() => listener && finder.off('change', listener));
}

/** Whether this machine loops multicast back to itself at all; mDNS discovery needs nothing more. */
function multicastLoopbackWorks(): Promise<boolean> {
  const group = '224.0.0.251';
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 3000);
    socket.on('error', () => done(false));
    socket.on('message', (m) => m.toString() === 'tapline-probe' && done(true));
    // As multicast-dns does: join on every IPv4 interface and send from a real one, or from lo when there is none
    // (a machine with no route for multicast has no default to fall back on).
    const ipv4 = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a?.family === 'IPv4');
    const from = ipv4.find((a) => !a!.internal)?.address ?? '127.0.0.1';
    socket.bind(0, () => {
      try {
        for (const a of ipv4) socket.addMembership(group, a!.address);
        socket.setMulticastInterface(from);
        socket.setMulticastLoopback(true);
        socket.send('tapline-probe', socket.address().port, group, (err) => err && done(false));
      } catch {
        done(false);
      }
    });
  });
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-discovery-'));
  tempDirs.push(dir);
  return dir;
}

describe('the hub advertises itself on the LAN and a new terminal finds it', () => {
  let skip: string | false = false;
  before(async () => {
    if (!(await multicastLoopbackWorks())) {
      const why = 'multicast does not loop back on this machine, so mDNS discovery cannot be tested here';
      if (process.env.CI === 'true') throw new Error(why);
      skip = why;
      process.stderr.write(`\n!!! SKIPPING discovery tests: ${why}\n\n`);
    }
  });
  after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('found with the address to pair with, and dropped on its goodbye', async (t) => {
    if (skip) return t.skip(skip);
    // Staleness far away: only the goodbye can remove the hub within the test's deadline.
    const finder = new HubFinder({ queryIntervalMs: 500, staleAfterMs: 600_000, logger: silent });
    const hub = await startHub({ port: 0, host: '0.0.0.0', dataDir: tempDir(), name: 'Main bar hub', advertise: true, logger: silent });
    try {
      finder.start();
      const hubs = await listWhere(finder, (l) => l.some((h) => h.hubId === hub.hubId), 'the finder to list the hub');
      const found = hubs.find((h) => h.hubId === hub.hubId)!;
      assert.equal(found.name, 'Main bar hub');
      const url = new URL(found.url);
      assert.equal(url.protocol, 'http:');
      assert.equal(Number(url.port), hub.port);
      assert.equal(url.hostname, found.addresses[0]);
      assert.match(url.hostname, /^\d+\.\d+\.\d+\.\d+$/, 'an IPv4 address is preferred');

      // What the kiosk does next: pair at the found address with the code the hub shows. Nobody typed an address.
      const res = await fetch(`${found.url}/v1/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: PROTOCOL_VERSION, code: hub.pairingCode().code, name: 'Bar 1' }),
      });
      assert.equal(res.status, 200);
      assert.equal(PairResponse.parse(await res.json()).hubId, hub.hubId);

      await hub.close();
      const left = await listWhere(finder, (l) => !l.some((h) => h.hubId === hub.hubId), 'the hub to leave the list after its goodbye');
      assert.ok(!left.some((h) => h.hubId === hub.hubId));
    } finally {
      await hub.close();
      await finder.close();
    }
  });

  test('`hub start` advertises by default; a hub that dies without a goodbye is dropped once it stops answering', async (t) => {
    if (skip) return t.skip(skip);
    const dir = tempDir();
    const proc = hubProcess({ dir, port: 0, host: '0.0.0.0', cloudUrl: '', venueKey: '', name: 'Crashing hub' });
    const finder = new HubFinder({ queryIntervalMs: 200, staleAfterMs: 1500, logger: silent });
    try {
      const ready = await proc.start();
      const hubId = String(ready.hubId);
      finder.start();
      const hubs = await listWhere(finder, (l) => l.some((h) => h.hubId === hubId), 'the finder to list the CLI hub');
      const found = hubs.find((h) => h.hubId === hubId)!;
      assert.equal(found.name, 'Crashing hub');
      assert.equal(new URL(found.url).port, new URL(ready.url!).port);

      await proc.kill('SIGKILL');
      await listWhere(finder, (l) => !l.some((h) => h.hubId === hubId), 'the dead hub to leave the list');
      assert.ok(!finder.hubs().some((h) => h.hubId === hubId));
    } finally {
      await proc.kill('SIGKILL');
      proc.closeLog();
      await finder.close();
    }
  });

  test('services of our type that are not hubs we can talk to are left out', async (t) => {
    if (skip) return t.skip(skip);
    const log = capturingLogger();
    const finder = new HubFinder({ queryIntervalMs: 500, staleAfterMs: 600_000, logger: log.logger });
    const other = new Bonjour({}, () => undefined);
    const futureHubId = newId();
    const goodHubId = newId();
    try {
      finder.start();
      other.publish({ name: `future ${process.pid}`, type: HUB_SERVICE_TYPE, port: 4999, txt: { v: '99', hubId: futureHubId, name: 'Future hub' } });
      other.publish({ name: `junk ${process.pid}`, type: HUB_SERVICE_TYPE, port: 4998, txt: { hello: 'world' } });
      other.publish({ name: `good ${process.pid}`, type: HUB_SERVICE_TYPE, port: 4997, txt: { v: String(PROTOCOL_VERSION), hubId: goodHubId, name: 'Good hub' } });

      await log.next((l) => l.hubId === futureHubId && String(l.msg).includes('protocol version 99'), 'the finder to turn down the v99 hub');
      await log.next((l) => String(l.msg).includes('TXT record is not a hub') && String(l.service).startsWith(`junk ${process.pid}`), 'the finder to turn down the junk TXT');
      const hubs = await listWhere(finder, (l) => l.some((h) => h.hubId === goodHubId), 'the finder to list the good hub');
      assert.ok(!hubs.some((h) => h.hubId === futureHubId), 'a hub speaking another protocol version is not offered');
      assert.ok(!hubs.some((h) => h.url.endsWith(':4998')), 'a service without a hub TXT record is not offered');
      assert.equal(hubs.find((h) => h.hubId === goodHubId)?.url.split(':').at(-1), '4997');
    } finally {
      await new Promise<void>((r) => other.unpublishAll(() => r()));
      await new Promise<void>((r) => other.destroy(() => r()));
      await finder.close();
    }
  });

  test('advertising gives up with a warning, never a crash, when the mDNS port cannot be had', async () => {
    // Hold a port the way a responder that does not share 5353 would, and point the advertiser at it.
    const holder = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => holder.bind(0, '0.0.0.0', resolve));
    const log = capturingLogger();
    try {
      const advertiser = advertiseHub({
        port: 4300,
        hubId: newId(),
        name: 'Unlucky hub',
        host: '0.0.0.0',
        log: log.logger,
        mdnsPort: holder.address().port,
      });
      const warning = await log.next((l) => l.level === 40 && String(l.msg).startsWith('mDNS is unavailable'), 'the mDNS warning');
      assert.match(String(warning.msg), /EADDRINUSE/);
      assert.match(String(warning.msg), /type its address on the terminal/);
      await withDeadline(advertiser.close(), 'the advertiser to close', 5000);
    } finally {
      holder.close();
    }
  });
});
