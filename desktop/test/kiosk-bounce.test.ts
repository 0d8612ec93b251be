import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { BandBounce, BandTap, ReaderView } from '../src/kiosk/api.ts';
import { KioskService, type TapSource } from '../src/kiosk/kiosk-service.ts';
import { startKioskWebServer, type KioskWebServer } from '../src/kiosk-web/server.ts';
import { openTerminal, type Terminal } from '../src/runtime/index.ts';
import { silent, tempDir } from './helpers/temp.ts';

// A quick re-tap the reader drops as a bounce (uid-bounce.ts) is not a tap, but the screen waiting for one must hear
// of it to say "lift it away and tap again": the service passes it on as its own event, and the browser kiosk's
// event stream carries it to the page. (The reader's side, over the real pcscd, is band-reader-bounce.test.ts.)

class ScriptedReader extends EventEmitter implements TapSource {
  state(): ReaderView {
    return { status: 'ready', readers: ['Test reader'], message: 'Ready', cardPresent: false };
  }
}

const tmp = tempDir();
let terminal: Terminal;
let reader: ScriptedReader;
let kiosk: KioskService;

before(() => {
  terminal = openTerminal({ dbPath: tmp.file('kiosk.db'), logger: silent });
  reader = new ScriptedReader();
  kiosk = new KioskService(terminal, reader, null, silent);
});
after(async () => {
  await terminal.close();
  tmp.cleanup();
});

const bounce: BandBounce = { uid: '04A1B2C3D4E5F6', reader: 'Test reader', at: '2025-07-01T20:00:00.000Z' };

test('a bounce from the reader reaches the screens as `bounce`, and is not a tap', () => {
  const bounces: BandBounce[] = [];
  const taps: BandTap[] = [];
  kiosk.on('bounce', (b) => bounces.push(b));
  kiosk.on('tap', (t) => taps.push(t));
  reader.emit('bounce', bounce);
  assert.deepEqual(bounces, [bounce]);
  assert.deepEqual(taps, [], 'nothing can be charged to a bounce');
});

test("the browser kiosk's event stream carries the bounce to the page", async () => {
  const rendererDir = tmp.file('renderer');
  mkdirSync(rendererDir);
  const server: KioskWebServer = await startKioskWebServer({ service: kiosk, rendererDir, log: silent, token: 'test-token-0123456789' });
  const abort = new AbortController();
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/events?token=test-token-0123456789`, { signal: abort.signal });
    assert.equal(res.status, 200);
    const events = sseEvents(res.body!);
    // The stream opens with the state; from then on the page hears every event.
    assert.equal((await events.next()).value?.event, 'state');
    reader.emit('bounce', bounce);
    let e = (await events.next()).value;
    while (e && e.event !== 'bounce') e = (await events.next()).value;
    assert.deepEqual(e && { event: e.event, data: JSON.parse(e.data) as unknown }, { event: 'bounce', data: bounce });
  } finally {
    abort.abort();
    await server.close();
  }
});

/** Server-sent events from a response body, one {event, data} per message (comments skipped). */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined) yield { event, data };
    }
  }
}
