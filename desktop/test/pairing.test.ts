import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openTerminal, TerminalError } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, BANDS, STATION } from './helpers/fixtures.ts';
import { freePort } from './helpers/ports.ts';
import { silent, tempDir } from './helpers/temp.ts';

const tmp = tempDir();
let hub: FakeHub;
before(async () => {
  hub = await new FakeHub(allEntities()).start();
});
after(async () => {
  await hub.stop();
  tmp.cleanup();
});

const isCode = (code: string) => (e: unknown) => e instanceof TerminalError && e.code === code;

describe('pairing', () => {
  test('a good code stores the identity, which survives a reopen and lets the terminal connect', async () => {
    const file = tmp.file('good.db');
    const t = openTerminal({ dbPath: file, logger: silent });
    assert.equal(t.isPaired(), false);
    assert.throws(() => t.start(), isCode('not_paired'));
    const r = await t.pair(`${hub.url}/`, hub.code, 'Bar 1');
    assert.equal(r.hubId, 'hub-test');
    assert.equal(r.hubUrl, hub.url, 'trailing slash trimmed');
    assert.ok(hub.tokens.has(r.terminalId));
    assert.equal(t.isPaired(), true);
    await t.close();

    const again = openTerminal({ dbPath: file, logger: silent });
    assert.equal(again.isPaired(), true);
    assert.equal(again.status().terminalId, r.terminalId);
    assert.equal(again.status().hubId, 'hub-test');
    again.start();
    await again.whenConfigured();
    const sale = again.sell({ stationId: STATION.id, bandUid: BANDS.card.uid, lines: [{ productId: 'beer', quantity: 1 }] });
    assert.ok(sale.approved);
    assert.equal(sale.order.terminalId, r.terminalId);
    await again.whenDrained();
    assert.ok(hub.stored.has(sale.order.id));
    await again.close();
  });

  test('a wrong code is a clear bad_pairing_code error and stores nothing', async () => {
    const t = openTerminal({ dbPath: tmp.file('bad.db'), logger: silent });
    await assert.rejects(t.pair(hub.url, '000000', 'Bar 1'), (e: unknown) => isCode('bad_pairing_code')(e) && /pairing code/.test((e as Error).message));
    assert.equal(t.isPaired(), false);
    assert.equal(t.status().hubId, null);
    await t.close();
  });

  test('malformed input is refused before any request', async () => {
    const t = openTerminal({ dbPath: tmp.file('malformed.db'), logger: silent });
    const tokensBefore = hub.tokens.size;
    await assert.rejects(t.pair(hub.url, '12ab', 'Bar 1'), (e: unknown) => isCode('invalid_input')(e) && /six digits/.test((e as Error).message));
    await assert.rejects(t.pair('ftp://hub', '123456', 'Bar 1'), isCode('invalid_input'));
    await assert.rejects(t.pair(hub.url, '123456', '  '), isCode('invalid_input'));
    assert.equal(hub.tokens.size, tokensBefore, 'the hub was never asked');
    assert.equal(t.isPaired(), false);
    await t.close();
  });

  test('an unreachable hub is a clear hub_unreachable error', async () => {
    const t = openTerminal({ dbPath: tmp.file('unreachable.db'), logger: silent });
    const port = await freePort();
    await assert.rejects(t.pair(`http://127.0.0.1:${port}`, '123456', 'Bar 1'), (e: unknown) => isCode('hub_unreachable')(e) && /Cannot reach the hub/.test((e as Error).message));
    assert.equal(t.isPaired(), false);
    await t.close();
  });

  test('a server that answers nonsense is a pairing_failed error', async () => {
    const srv = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":1}'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const t = openTerminal({ dbPath: tmp.file('nonsense.db'), logger: silent });
    try {
      await assert.rejects(t.pair(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`, '123456', 'Bar 1'), isCode('pairing_failed'));
      assert.equal(t.isPaired(), false);
    } finally {
      await t.close();
      await new Promise((r) => srv.close(r));
    }
  });

  test('re-pairing is refused while orders wait for the current hub', async () => {
    const t = openTerminal({ dbPath: tmp.file('repair.db'), logger: silent });
    await t.pair(hub.url, hub.code, 'Bar 2');
    t.start();
    await t.whenConfigured();
    await t.close();
    const t2 = openTerminal({ dbPath: tmp.file('repair.db'), logger: silent });
    assert.ok(t2.sell({ stationId: STATION.id, bandUid: BANDS.card.uid, lines: [{ productId: 'beer', quantity: 1 }] }).approved);
    await assert.rejects(t2.pair(hub.url, hub.code, 'Bar 2'), isCode('pending_orders'));
    await t2.close();
  });
});
