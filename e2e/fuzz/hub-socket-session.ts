import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { io as ioClient, type Socket } from 'socket.io-client';
import { ErrorBody, OrdersPushAck, PROTOCOL_VERSION, type ItemResult, type PairResponse, type Sale } from '@tapline/shared';
import { isValidFact, validSale } from './facts.ts';
import { announceSeed } from './fuzz-run.ts';
import { countDelta, startFuzzHub, type FuzzHub } from './hub-fixture.ts';
import { preview } from './hostile.ts';
import { isSentence, REQUEST_TIMEOUT_MS } from './wire.ts';

/*
 * What the hub's Socket.IO fuzz files share (hub-socket-*.test.ts): one hub per file, a hostile terminal the generated
 * traffic comes from and a clean one that must keep trading beside it, and the check of every ack. Every push gets an
 * ack (an error for a bad envelope, a result per item otherwise), a refusal writes nothing, the valid items of a mixed
 * batch are all stored with their tabs, and a clean terminal keeps trading after each batch.
 */

export let f: FuzzHub;
/** The terminal the hostile traffic comes from, and a clean one that must keep trading beside it. */
export let hostileCreds: PairResponse;
export let cleanCreds: PairResponse;
let hostile: Socket;
export let clean: Socket;
let hostileSeq = 0;
let cleanSeq = 0;
export const GOOD_EVERY = 10;
let sinceGood = 0;

export const nextHostileSeq = () => ++hostileSeq;
export const nextCleanSeq = () => ++cleanSeq;

/** Starts the file's hub and both terminals before its tests, and closes them after; `file` names the seed line. */
export function useFuzzHubSockets(file: string): void {
  before(async () => {
    announceSeed(file);
    f = await startFuzzHub();
    hostileCreds = await f.pair('Hostile bar');
    cleanCreds = await f.pair('Clean bar');
    hostile = await connect(hostileCreds);
    clean = await connect(cleanCreds);
  });
  after(async () => {
    hostile?.close();
    clean?.close();
    await f?.close();
  });
}

export function connect(
  creds: { terminalId: string; token: string },
  auth: unknown = { v: PROTOCOL_VERSION, ...creds },
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Socket> {
  const socket = ioClient(f.hub.url, { auth: auth as Record<string, unknown>, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no connect and no connect_error within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

/** The hostile terminal's socket, reconnected if a test made the hub drop it. */
export async function hostileSocket(): Promise<Socket> {
  if (!hostile.connected) hostile = await connect(hostileCreds);
  return hostile;
}

export function push(socket: Socket, payload: unknown): Promise<unknown> {
  return socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('orders:push', payload);
}

/** The clean terminal sells one drink: acked as stored, one order, one outbox row, its band's tab up by its total. */
export async function goodTraffic(): Promise<void> {
  sinceGood = 0;
  const sale = validSale({ terminalId: cleanCreds.terminalId, seq: nextCleanSeq(), bandUid: '0A0B0C0D' });
  const before = f.counts();
  const tabBefore = f.bandTotal(sale.bandUid);
  const ack = OrdersPushAck.parse(await push(clean, { v: PROTOCOL_VERSION, orders: [sale] }));
  assert.ok(ack.ok, `a good push after hostile input: ${preview(ack)}`);
  assert.deepEqual(ack.results, [{ id: sale.id, status: 'stored' }]);
  const delta = countDelta(before, f.counts());
  assert.equal(delta.orders, 1);
  assert.equal(delta.cloud_outbox, 1);
  assert.equal(f.bandTotal(sale.bandUid) - tabBefore, sale.total);
}

export async function maybeGoodTraffic(): Promise<void> {
  if (++sinceGood >= GOOD_EVERY) await goodTraffic();
}

/** JSON as the hub receives it (Buffers stay Buffers on the wire, and are never valid facts). */
export function asReceived(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/**
 * Checks one ack against what was pushed and returns the orders it stored. A bad envelope: an error with a code and a
 * sentence, nothing written. A good envelope: one result per item, in order; every valid item of this terminal is
 * kept (stored, or a duplicate/conflict of an id it already had); every other item is `invalid` with a sentence.
 */
export function checkAck(payload: unknown, rawAck: unknown, before: Record<string, number>, what: string): Sale[] {
  const parsed = OrdersPushAck.safeParse(rawAck);
  assert.ok(parsed.success, `the ack is not an OrdersPushAck\n${what}\n→ ${preview(rawAck, 300)}`);
  const ack = parsed.data;
  if (!ack.ok) {
    assert.ok(ErrorBody.safeParse(ack.error).success && isSentence(ack.error.message), `the refusal needs a code and a sentence\n${what}\n→ ${preview(ack)}`);
    assert.ok(['invalid_body', 'unsupported_version'].includes(ack.error.code), `a bad envelope is invalid_body or unsupported_version, not ${ack.error.code}\n${what}`);
    assert.deepEqual(countDelta(before, f.counts()), {}, `a refused push wrote rows\n${what}`);
    return [];
  }
  const orders = (asReceived(payload) as { orders: unknown[] }).orders;
  assert.equal(ack.results.length, orders.length, `one result per item\n${what}\n→ ${preview(ack, 300)}`);
  const stored: Sale[] = [];
  orders.forEach((item, i) => {
    const r: ItemResult = ack.results[i]!;
    const keep = isValidFact(item) && item.terminalId === hostileCreds.terminalId;
    const itemWhat = `item #${i} ${preview(item, 200)}\n${what}\n→ ${preview(r)}`;
    if (keep) {
      assert.ok(['stored', 'duplicate', 'conflict'].includes(r.status), `a valid item was not kept\n${itemWhat}`);
      assert.equal(r.id, item.id, `the result names the item\n${itemWhat}`);
      if (r.status === 'stored' && item.kind === 'sale') stored.push(item);
    } else {
      assert.equal(r.status, 'invalid', `an invalid item was not refused\n${itemWhat}`);
      assert.ok(r.error && isSentence(r.error.message), `an invalid item needs a sentence\n${itemWhat}`);
    }
  });
  const storedCount = ack.results.filter((r) => r.status === 'stored').length;
  const delta = countDelta(before, f.counts());
  assert.equal(delta.orders ?? 0, storedCount, `orders written = items stored\n${what}\n${preview(delta)}`);
  assert.equal(delta.cloud_outbox ?? 0, storedCount, `outbox rows written = items stored\n${what}`);
  assert.ok((delta.conflicts ?? 0) <= ack.results.filter((r) => r.status === 'conflict').length, `conflict rows only for conflicts\n${what}`);
  return stored;
}
