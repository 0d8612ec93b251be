import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { KioskState } from '../src/kiosk/api.ts';
import { KioskError } from '../src/kiosk/kiosk-error.ts';
import type { KioskServiceEvents } from '../src/kiosk/kiosk-service.ts';
import { APP_START_URL } from '../src/electron/app-origin.ts';
import { KIOSK_CALL_CHANNEL, KIOSK_EVENT_CHANNEL, type KioskCallReply } from '../src/electron/ipc-contract.ts';
import { wireKioskIpc, type IpcSender } from '../src/electron/ipc.main.ts';

const silent = pino({ level: 'silent' });

type Handler = (event: IpcSender, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    assert.equal(this.handlers.has(channel), false, `a second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(event: IpcSender, ...args: unknown[]): Promise<KioskCallReply> {
    const handler = this.handlers.get(KIOSK_CALL_CHANNEL);
    assert.ok(handler, 'no kiosk:call handler');
    return Promise.resolve(handler(event, ...args)) as Promise<KioskCallReply>;
  }
}

class FakeContents {
  readonly sent: unknown[][] = [];
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

class FakeService extends EventEmitter<KioskServiceEvents> {
  readonly calls: Array<[string, unknown]> = [];
  async call(method: string, args: unknown): Promise<unknown> {
    this.calls.push([method, args]);
    if (method === 'login') throw new KioskError('wrong_pin', 'That PIN is not right.');
    if (method === 'boom') throw new Error('disk on fire at /var/secret');
    return { echoed: method };
  }
}

describe('electron shell: IPC between the window and the kiosk process', () => {
  const wire = () => {
    const ipcMain = new FakeIpcMain();
    const contents = new FakeContents();
    const service = new FakeService();
    const unwire = wireKioskIpc({ ipcMain, contents, service, log: silent });
    const fromApp: IpcSender = { sender: contents, senderFrame: { url: APP_START_URL } };
    return { ipcMain, contents, service, unwire, fromApp };
  };

  it('answers the kiosk window with the service result', async () => {
    const { ipcMain, service, fromApp } = wire();
    assert.deepEqual(await ipcMain.invoke(fromApp, 'menu', {}), { ok: true, result: { echoed: 'menu' } });
    assert.deepEqual(service.calls, [['menu', {}]]);
  });

  it('turns a KioskError into its code and sentence, anything else into internal without details', async () => {
    const { ipcMain, fromApp } = wire();
    assert.deepEqual(await ipcMain.invoke(fromApp, 'login', { pin: '0000' }), {
      ok: false,
      error: { code: 'wrong_pin', message: 'That PIN is not right.' },
    });
    const boom = await ipcMain.invoke(fromApp, 'boom', {});
    assert.equal(boom.ok, false);
    assert.equal(!boom.ok && boom.error.code, 'internal');
    assert.doesNotMatch(!boom.ok ? boom.error.message : '', /secret/);
    assert.equal((await ipcMain.invoke(fromApp, 42, {})).ok, false);
  });

  it('refuses other windows and frames that left the app, without calling the service', async () => {
    const { ipcMain, service, fromApp } = wire();
    const otherWindow = { sender: new FakeContents(), senderFrame: { url: APP_START_URL } };
    const navigatedAway = { sender: fromApp.sender, senderFrame: { url: 'https://evil.example/' } };
    const goneFrame = { sender: fromApp.sender, senderFrame: null };
    for (const event of [otherWindow, navigatedAway, goneFrame]) {
      const reply = await ipcMain.invoke(event, 'state', {});
      assert.equal(reply.ok, false);
    }
    assert.deepEqual(service.calls, []);
  });

  it('forwards state, tap, hubs and bounce to the window until unwired', () => {
    const { ipcMain, contents, service, unwire } = wire();
    const state = { setup: 'unpaired' } as KioskState;
    service.emit('state', state);
    service.emit('tap', { id: 't1', uid: '04AABB', reader: 'r', at: '2025-07-01T12:00:00Z', manual: false });
    service.emit('hubs', [{ hubId: 'h', name: 'Hub', url: 'http://10.0.0.2:4000' }]);
    const bounce = { uid: '04AABB', reader: 'r', at: '2025-07-01T12:00:01Z' };
    service.emit('bounce', bounce);
    assert.deepEqual(
      contents.sent.map(([channel, name]) => [channel, name]),
      [
        [KIOSK_EVENT_CHANNEL, 'state'],
        [KIOSK_EVENT_CHANNEL, 'tap'],
        [KIOSK_EVENT_CHANNEL, 'hubs'],
        [KIOSK_EVENT_CHANNEL, 'bounce'],
      ],
    );
    assert.equal(contents.sent[0]?.[2], state);
    assert.equal(contents.sent[3]?.[2], bounce, 'the re-tap hint reaches the window as the reader told it');

    contents.destroyed = true;
    service.emit('state', state);
    assert.equal(contents.sent.length, 4, 'nothing is sent to a destroyed window');

    unwire();
    assert.equal(ipcMain.handlers.size, 0);
    assert.equal(service.listenerCount('state') + service.listenerCount('tap') + service.listenerCount('hubs') + service.listenerCount('bounce'), 0);
  });
});
