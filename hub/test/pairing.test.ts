import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { RunningHub } from '../src/hub.ts';
import { connectTerminal, pair, removeDir, startTestHub, tempDir } from './helpers.ts';

describe('pairing and terminal authentication', () => {
  let dir: string;
  let hub: RunningHub;

  before(async () => {
    dir = tempDir();
    hub = await startTestHub({ dataDir: dir });
  });
  after(async () => {
    await hub.close();
    removeDir(dir);
  });

  test('the current code pairs a terminal, and stays reusable until it expires', async () => {
    const code = hub.pairingCode().code;
    assert.match(code, /^\d{6}$/);
    const a = await pair(hub.url, code, 'Bar A');
    const b = await pair(hub.url, code, 'Bar B');
    assert.equal(a.hubId, hub.hubId);
    assert.notEqual(a.terminalId, b.terminalId);
    assert.equal(Buffer.from(a.token, 'base64url').length, 32);
    const names = hub.status().terminals.map((t) => t.name);
    assert.deepEqual(names.sort(), ['Bar A', 'Bar B']);
  });

  test('a wrong code is refused with 403 bad_pairing_code and registers nothing', async () => {
    const before = hub.status().terminals.length;
    const current = hub.pairingCode().code;
    const wrong = current === '000000' ? '000001' : '000000';
    const res = await fetch(`${hub.url}/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, code: wrong, name: 'Intruder' }),
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'bad_pairing_code');
    assert.equal(hub.status().terminals.length, before);
  });

  test('a malformed pairing body is a 400 invalid_body; malformed JSON too', async () => {
    const res = await fetch(`${hub.url}/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, code: '12ab', name: '' }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, 'invalid_body');
    assert.match(body.message, /code/);
    const junk = await fetch(`${hub.url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(junk.status, 400);
    assert.equal(((await junk.json()) as { code: string }).code, 'invalid_body');
  });

  test('POST /v1/pairing-codes from loopback gives a fresh code that pairs', async () => {
    const res = await fetch(`${hub.url}/v1/pairing-codes`, { method: 'POST' });
    assert.equal(res.status, 201);
    const { code, expiresAt } = (await res.json()) as { code: string; expiresAt: string };
    assert.match(code, /^\d{6}$/);
    assert.ok(Date.parse(expiresAt) > Date.now() + 9 * 60_000);
    const paired = await pair(hub.url, code, 'Sim 1');
    assert.equal(paired.hubId, hub.hubId);
  });

  test('the token opens a socket that receives config and hub:status; a wrong token is refused', async () => {
    const creds = await pair(hub.url, hub.pairingCode().code, 'Bar C');
    const t = await connectTerminal(hub.url, { v: 1, terminalId: creds.terminalId, token: creds.token });
    try {
      const config = await t.nextConfig(() => true);
      assert.equal(config.full, true);
      assert.deepEqual(config.entities, []);
      const status = await t.nextStatus(() => true);
      assert.equal(status.hubId, hub.hubId);
      assert.equal(status.uplink, 'unknown');
      assert.equal(hub.status().terminals.find((x) => x.id === creds.terminalId)?.online, true);
    } finally {
      t.close();
    }

    const wrongToken = creds.token.slice(0, -2) + (creds.token.endsWith('AA') ? 'BB' : 'AA');
    await assert.rejects(connectTerminal(hub.url, { v: 1, terminalId: creds.terminalId, token: wrongToken }), (err: Error & { data?: { code: string } }) => {
      assert.equal(err.data?.code, 'unauthorized');
      return true;
    });
    await assert.rejects(connectTerminal(hub.url, { v: 1, terminalId: 'nobody', token: creds.token }), (err: Error & { data?: { code: string } }) => {
      assert.equal(err.data?.code, 'unauthorized');
      return true;
    });
    await assert.rejects(connectTerminal(hub.url, {}), (err: Error & { data?: { code: string } }) => {
      assert.equal(err.data?.code, 'unauthorized');
      return true;
    });
    await assert.rejects(connectTerminal(hub.url, { v: 2, terminalId: creds.terminalId, token: creds.token }), (err: Error & { data?: { code: string } }) => {
      assert.equal(err.data?.code, 'unsupported_version');
      return true;
    });
  });
});

describe('pairing codes from the LAN', () => {
  const lanIp = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  test('POST /v1/pairing-codes is refused when not from loopback', { skip: lanIp ? false : 'no LAN address on this machine' }, async () => {
    const dir = tempDir();
    const hub = await startTestHub({ dataDir: dir, host: '0.0.0.0' });
    try {
      const res = await fetch(`http://${lanIp}:${hub.port}/v1/pairing-codes`, { method: 'POST' });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'unauthorized');
    } finally {
      await hub.close();
      removeDir(dir);
    }
  });
});
